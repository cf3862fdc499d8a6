import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findEntry } from '../../emulators/manifest/index.ts';
import { makeSmallDqnAgent } from '../../tests/support/smallDqnAgent.ts';
import { defaultShowcase } from '../live.ts';
import { LiveViewer } from '../protocol/liveViewer.ts';
import type { EndMessage, LiveRoomInfo } from '../protocol/stream.ts';
import { InMemoryTransport } from './inMemoryTransport.ts';
import { type ShowcaseHost, startShowcase } from './showcase.ts';
import { StreamHub } from './streamHub.ts';

const eventually = <T>(check: () => T, timeout = 30_000) =>
  vi.waitFor(check, { timeout, interval: 20 });

let host: ShowcaseHost | undefined;
let hub: StreamHub | undefined;
const temp: string[] = [];
afterEach(async () => {
  await host?.close();
  await hub?.close();
  for (const dir of temp.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('showcase on a worker thread', () => {
  it('streams a real-time game from its own thread and restarts after a crash', async () => {
    const transport = new InMemoryTransport();
    hub = new StreamHub({ transport });
    const lines: string[] = [];
    host = startShowcase({
      hub,
      games: [{ game: 'brick', agent: 'scripted' }],
      log: (l) => lines.push(l),
      restartDelayMs: 50,
    });
    const room = await eventually(() => {
      const open = hub!.rooms()[0];
      expect(open).toBeDefined();
      return open as LiveRoomInfo;
    });
    expect(room).toMatchObject({
      game: 'brick',
      kind: 'episode',
      speed: 1,
      fps: 60,
      note: 'showcase',
    });
    expect(room.players).toEqual([
      { name: expect.stringMatching(/scripted/), agentKind: 'scripted' },
    ]);
    expect(host.threadId).not.toBeNull();
    expect(host.threadId).not.toBe(threadId);

    const connection = transport.connect();
    const screens: number[] = [];
    const ends: EndMessage[] = [];
    const viewer = new LiveViewer({
      send: (m) => connection.send(m),
      onFrame: (f) => screens.push(f.pixels.reduce((a, b) => (a * 31 + b) % 1_000_003, 0)),
      onEnd: (e) => ends.push(e),
    });
    connection.listener = (m) => viewer.receive(m);
    viewer.join(room.roomId);
    // Real time: about 60 frames a second arrive, and the picture moves.
    await eventually(() => expect(screens.length).toBeGreaterThanOrEqual(30));
    expect(new Set(screens).size).toBeGreaterThan(1);

    await host.kill();
    await eventually(() => expect(ends).toHaveLength(1));
    expect(ends[0].reason).toBe('stopped');
    const next = await eventually(() => {
      expect(host!.starts).toBe(2);
      const open = hub!.rooms()[0];
      expect(open).toBeDefined();
      return open as LiveRoomInfo;
    });
    expect(next.roomId).not.toBe(room.roomId);
    expect(lines.some((l) => /showcase worker exited/.test(l))).toBe(true);
  });

  it('stops its games and ends their rooms on close', async () => {
    const transport = new InMemoryTransport();
    hub = new StreamHub({ transport });
    host = startShowcase({ hub, games: [{ game: 'brick', agent: 'random' }] });
    const room = await eventually(() => {
      const open = hub!.rooms()[0];
      expect(open).toBeDefined();
      return open as LiveRoomInfo;
    });
    const viewer = transport.connect();
    viewer.send({ type: 'join', roomId: room.roomId });
    await host.close();
    expect(host.threadId).toBeNull();
    await eventually(() => expect(hub!.rooms()).toHaveLength(0));
    expect(viewer.ofType('end').map((e) => [e.roomId, e.reason])).toEqual([
      [room.roomId, 'stopped'],
    ]);
    // No new room after closing: the worker is gone for good.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hub.rooms()).toHaveLength(0);
  });

  it('falls back to the scripted agent when a model agent cannot be loaded', async () => {
    const transport = new InMemoryTransport();
    hub = new StreamHub({ transport });
    const lines: string[] = [];
    host = startShowcase({
      hub,
      games: [
        {
          game: 'brick',
          agent: 'model',
          modelDir: '/nonexistent/agent',
          fallbackAgent: 'scripted',
        },
      ],
      log: (l) => lines.push(l),
    });
    const room = await eventually(() => {
      const open = hub!.rooms()[0];
      expect(open).toBeDefined();
      return open as LiveRoomInfo;
    });
    expect(room.players[0].agentKind).toBe('scripted');
    expect(lines.some((l) => /playing the scripted agent instead/.test(l))).toBe(true);
  });

  it("streams a DQN agent's Q-values with its frames (a freshly initialised small network)", async () => {
    const bundled = await mkdtemp(join(tmpdir(), 'arena-bundled-'));
    temp.push(bundled);
    await makeSmallDqnAgent(join(bundled, 'brick-dqn'), { name: 'dqn-small' });
    const games = defaultShowcase(bundled);
    expect(games.map((g) => [g.game, g.agent])).toEqual([
      ['brick', 'model'],
      ['duel', 'scripted'],
    ]);
    const transport = new InMemoryTransport();
    hub = new StreamHub({ transport });
    const lines: string[] = [];
    host = startShowcase({ hub, games: [games[0]], log: (l) => lines.push(l) });
    // The worker loads TF.js and the model first: seconds on a quiet machine, minutes on a busy one.
    const room = await eventually(() => {
      const open = hub!.rooms()[0];
      expect(open, lines.join('\n')).toBeDefined();
      return open as LiveRoomInfo;
    }, 240_000);
    expect(room.players).toEqual([{ name: 'dqn-small', agentKind: 'dqn' }]);
    const connection = transport.connect();
    const qValues: number[][] = [];
    const viewer = new LiveViewer({
      send: (m) => connection.send(m),
      onFrame: (f) => {
        if (f.message.qValues) qValues.push(f.message.qValues);
      },
    });
    connection.listener = (m) => viewer.receive(m);
    viewer.join(room.roomId);
    await eventually(() => expect(qValues.length).toBeGreaterThanOrEqual(20), 60_000);
    const actions = findEntry('brick').actions.length;
    for (const q of qValues) {
      expect(q).toHaveLength(actions);
      expect(q.every(Number.isFinite)).toBe(true);
    }
    // A real network's outputs: they differ between actions and change with the picture.
    expect(new Set(qValues[0]).size).toBeGreaterThan(1);
    expect(new Set(qValues.map((q) => q.join())).size).toBeGreaterThan(1);
  }, 360_000);
});
