import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveViewer } from '../protocol/liveViewer.ts';
import type { EndMessage, LiveRoomInfo } from '../protocol/stream.ts';
import { InMemoryTransport } from './inMemoryTransport.ts';
import { type ShowcaseHost, startShowcase } from './showcase.ts';
import { StreamHub } from './streamHub.ts';

const eventually = <T>(check: () => T) => vi.waitFor(check, { timeout: 30_000, interval: 20 });

let host: ShowcaseHost | undefined;
let hub: StreamHub | undefined;
afterEach(async () => {
  await host?.close();
  await hub?.close();
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
    await eventually(() => expect(hub!.rooms()).toHaveLength(1));
    const started = performance.now();
    await host.close();
    expect(performance.now() - started).toBeLessThan(2500);
    expect(host.threadId).toBeNull();
    await eventually(() => expect(hub!.rooms()).toHaveLength(0));
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
});
