/**
 * Leaderboard-changed push against a real server: a viewer connected to the live namespace hears
 * `leaderboard` messages while an uploaded agent's evaluation records episodes, one that marks the
 * evaluation as ended once every episode is in the store, and one when the version is deleted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveViewer } from '../../server/protocol/liveViewer.ts';
import {
  type LeaderboardMessage,
  LIVE_EVENT,
  LIVE_NAMESPACE,
} from '../../server/protocol/stream.ts';
import {
  api,
  makeTinyAgent,
  readFolder,
  register,
  startTestServer,
  TEST_CONDITIONS,
  type TestServer,
  upload,
  waitFor,
} from './helpers.ts';

let server: TestServer;
let socket: Socket;
let work: string;
const heard: LeaderboardMessage[] = [];

beforeAll(async () => {
  server = await startTestServer({ showcase: false });
  work = await mkdtemp(join(tmpdir(), 'arena-push-'));
  socket = io(`${server.url}${LIVE_NAMESPACE}`, { transports: ['websocket'], forceNew: true });
  const viewer = new LiveViewer({
    send: (m) => socket.emit(LIVE_EVENT, m),
    onLeaderboard: (m) => heard.push(m),
  });
  socket.on(LIVE_EVENT, (m: unknown) => viewer.receive(m));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
});

afterAll(async () => {
  socket?.disconnect();
  await server?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('leaderboard push', () => {
  it('tells viewers while an evaluation records episodes and when it ends or is deleted', async () => {
    const token = await register(server, 'pusher');
    const files = await readFolder(await makeTinyAgent(join(work, 'tiny')));
    const res = await upload(server, { token, name: 'tiny', files });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const versionId: number = res.body.version.id;
    const agentId: number = res.body.agent.id;

    const ended = await waitFor(() => heard.find((m) => m.evaluationsEnded.includes(versionId)), {
      timeoutMs: 90_000,
      what: 'the evaluation-ended message',
    });
    expect(ended.game).toBe('brick');
    expect(ended.agentIds).toContain(agentId);
    // By the time viewers hear it, the leaderboard already shows the whole evaluation.
    const board = await api(server, '/leaderboards/brick');
    const row = board.body.rows.find((r: { versionId: number }) => r.versionId === versionId);
    expect(row.episodes).toBe(TEST_CONDITIONS.episodes);
    const mine = heard.filter((m) => m.versionIds.includes(versionId));
    // Coalesced: never more than one message per recorded episode plus the final one.
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine.length).toBeLessThanOrEqual(TEST_CONDITIONS.episodes + 1);

    const before = heard.length;
    const deleted = await api(server, `/agents/${agentId}/versions/1`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(deleted.status).toBe(200);
    const gone = await waitFor(
      () => heard.slice(before).find((m) => m.versionIds.includes(versionId)),
      { timeoutMs: 5_000, what: 'the deletion message' },
    );
    expect(gone.evaluationsEnded).toEqual([]);
  });
});
