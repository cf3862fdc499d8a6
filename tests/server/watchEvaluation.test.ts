/**
 * Watching evaluations live against a real server: while an uploaded agent is evaluated, its
 * running episode appears in the live room list (and leaves it when the evaluation ends); a
 * viewer who joins gets decoded frames at a bounded rate, with the model's Q-values.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../emulators/manifest/index.ts';
import { LiveViewer, type ViewerFrame } from '../../server/protocol/liveViewer.ts';
import {
  type EndMessage,
  LIVE_EVENT,
  LIVE_NAMESPACE,
  type LiveRoomInfo,
} from '../../server/protocol/stream.ts';
import {
  api,
  makeTinyAgent,
  readFolder,
  register,
  startTestServer,
  type TestServer,
  upload,
  waitFor,
} from './helpers.ts';

let server: TestServer;
let socket: Socket;
let viewer: LiveViewer;
let work: string;
const roomLists: LiveRoomInfo[][] = [];
const frames: { at: number; frame: ViewerFrame }[] = [];
const ends: EndMessage[] = [];

beforeAll(async () => {
  // Long enough episodes that a room stays open for a while; two of them.
  server = await startTestServer({
    showcase: false,
    conditions: { episodes: 2, maxEpisodeFrames: 2400 },
  });
  work = await mkdtemp(join(tmpdir(), 'arena-watch-'));
  socket = io(`${server.url}${LIVE_NAMESPACE}`, { transports: ['websocket'], forceNew: true });
  viewer = new LiveViewer({
    send: (m) => socket.emit(LIVE_EVENT, m),
    onRooms: (rooms) => roomLists.push(rooms),
    onFrame: (frame) => frames.push({ at: performance.now(), frame }),
    onEnd: (end) => ends.push(end),
    followNext: true,
  });
  socket.on(LIVE_EVENT, (m: unknown) => viewer.receive(m));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
});

afterAll(async () => {
  socket?.disconnect();
  await server?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

const evaluationRooms = (rooms: LiveRoomInfo[] | undefined) =>
  (rooms ?? []).filter((r) => r.note?.startsWith('evaluation'));

describe('watching an evaluation', () => {
  it('lists the running episode, streams it with Q-values at a bounded rate, then removes it', async () => {
    const token = await register(server, 'watched');
    const files = await readFolder(await makeTinyAgent(join(work, 'tiny')));
    const res = await upload(server, { token, name: 'tiny', files });
    expect(res.status, JSON.stringify(res.body)).toBe(201);

    const room = await waitFor(() => evaluationRooms(roomLists.at(-1))[0], {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: 'an evaluation room',
    });
    expect(room).toMatchObject({
      game: 'brick',
      kind: 'episode',
      speed: 0,
      fps: 30,
      players: [{ name: 'tiny v1', agentKind: 'dqn' }],
    });
    expect(room.note).toMatch(/^evaluation · episode [12] of 2$/);
    viewer.join(room.roomId);

    await waitFor(() => frames.length >= 10, { timeoutMs: 30_000, what: 'frames' });
    const actions = loadManifest().find((e) => e.id === 'brick')!.actions;
    const first = frames[0].frame;
    expect(first.key).toBe(true);
    expect(first.message.qValues).toHaveLength(actions.length);
    expect(first.message.qValues!.every(Number.isFinite)).toBe(true);
    expect(actions).toContain(first.message.action);

    // Evaluation ends: its rooms close, and the list has no evaluation room any more.
    await waitFor(
      async () => (await api(server, `/versions/${res.body.version.id}`)).body.evaluation.ended,
      { timeoutMs: 120_000, intervalMs: 200, what: 'the evaluation to end' },
    );
    await waitFor(() => evaluationRooms(roomLists.at(-1)).length === 0 && ends.length > 0, {
      timeoutMs: 10_000,
      what: 'the evaluation rooms to close',
    });
    expect(['terminated', 'truncated']).toContain(ends[0].reason);

    // Bounded: never more than 30 frames a second (plus a frame of slack) reached the viewer.
    const byRoom = new Map<string, number[]>();
    for (const { at, frame } of frames) {
      byRoom.set(frame.roomId, [...(byRoom.get(frame.roomId) ?? []), at]);
    }
    for (const times of byRoom.values()) {
      if (times.length < 10) continue;
      const seconds = (times.at(-1)! - times[0]) / 1000;
      expect((times.length - 1) / seconds).toBeLessThanOrEqual(31);
    }
  });
});
