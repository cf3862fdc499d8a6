/**
 * The head-to-head API against a real server: Duel ratings (record, Rank (UB), final flag),
 * matches paged and filtered, one match with both players, its replay reproducing the points,
 * a live room playing it back, and 4xx answers for malformed queries.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGame } from '../../emulators/manifest/index.ts';
import { refitRatings } from '../../server/matches/ratings.ts';
import { recordLeg } from '../../server/matches/record.ts';
import { ensureReferencePlayers } from '../../server/matches/referencePlayers.ts';
import { replayMatch } from '../../server/matches/replay.ts';
import { runMatchTask } from '../../server/matches/runMatch.ts';
import type { MatchLegResult, MatchTask } from '../../server/matches/task.ts';
import { LiveViewer } from '../../server/protocol/liveViewer.ts';
import { LIVE_EVENT, LIVE_NAMESPACE } from '../../server/protocol/stream.ts';
import { BOOTSTRAP_FINAL } from '../../server/stats/bootstrap.ts';
import { SYSTEM_OWNER } from '../../server/storage/types.ts';
import { api, startTestServer, type TestServer } from './helpers.ts';

let server: TestServer;
const ids: Record<string, number> = {};
const matchIds: number[] = [];
/** Frame cap of the test matches: short, so the set-up stays quick on a busy machine. */
const FRAMES = 400;

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

beforeAll(async () => {
  server = await startTestServer({ showcase: false });
  const { storage } = server;
  const entry = loadGame('duel').entry;
  storage.upsertGame({ id: 'duel', title: entry.title, romSha1: entry.sha1, baselines: null });
  const owner = storage.createOwner({ name: SYSTEM_OWNER });
  for (const name of ['random', 'scripted']) {
    const agent = storage.createAgent({ ownerId: owner.id, gameId: 'duel', name, kind: 'builtin' });
    ids[name] = storage.addAgentVersion({ agentId: agent.id, metadata: { builtin: name } }).id;
  }
  ensureReferencePlayers(storage);
  const cpu = storage.findAgent({ gameId: 'duel', name: 'cpu-hard' })!;
  ids['cpu-hard'] = storage.getAgentDetails(cpu.id)!.versions[0].id;
  // Real matches, short: scripted against random (both sides), random against the computer.
  const conditions = { ...server.config.conditions, maxEpisodeFrames: FRAMES };
  const pairings: Array<[MatchTask, [number, number]]> = [
    [
      {
        game: 'duel',
        conditions,
        seed: 11,
        players: [
          { kind: 'agent', name: 'scripted', agent: { kind: 'builtin', name: 'scripted' } },
          { kind: 'agent', name: 'random', agent: { kind: 'builtin', name: 'random' } },
        ],
      },
      [ids.scripted, ids.random],
    ],
    [
      {
        game: 'duel',
        conditions,
        seed: 12,
        players: [
          { kind: 'agent', name: 'random', agent: { kind: 'builtin', name: 'random' } },
          { kind: 'computer', name: 'cpu-hard', level: 'hard' },
        ],
      },
      [ids.random, ids['cpu-hard']],
    ],
  ];
  for (const [task, versionIds] of pairings) {
    const legs: MatchLegResult[] = [];
    await runMatchTask(task, (leg) => legs.push(leg));
    for (const result of legs) matchIds.push(recordLeg(storage, { task, versionIds, result }).id);
  }
  refitRatings(storage, 'duel', BOOTSTRAP_FINAL);
}, 300_000);

afterAll(async () => {
  await server?.dispose();
});

describe('Duel ratings API', () => {
  it('serves every rated version with its interval, record and Rank (UB), marked final', async () => {
    const { status, body } = await api(server, '/duel/ratings?game=duel');
    expect(status).toBe(200);
    expect(body).toMatchObject({ game: 'duel', final: true, resamples: 1000, matches: 3 });
    expect(body.anchor).toMatchObject({ agentName: 'scripted', rating: 1000 });
    expect(body.ratings.map((r: { versionId: number }) => r.versionId).sort()).toEqual(
      [ids.scripted, ids.random, ids['cpu-hard']].sort(),
    );
    for (const r of body.ratings) {
      expect(r.lower).toBeLessThanOrEqual(r.rating);
      expect(r.upper).toBeGreaterThanOrEqual(r.rating);
      expect(r.ci95).toEqual([r.lower, r.upper]);
      expect(r.wins + r.losses + r.draws).toBe(r.matches);
      expect(r.rank).toBeGreaterThanOrEqual(1);
    }
    const ratings = body.ratings.map((r: { rating: number }) => r.rating);
    expect(ratings).toEqual([...ratings].sort((a, b) => b - a));
    const cpu = body.ratings.find((r: { agentName: string }) => r.agentName === 'cpu-hard');
    expect(cpu).toMatchObject({ computerLevel: 'hard', matches: 1, kind: 'builtin' });
    const random = body.ratings.find((r: { agentName: string }) => r.agentName === 'random');
    expect(random.matches).toBe(3);
    // The default game is the first two-player one.
    expect((await api(server, '/duel/ratings')).body.game).toBe('duel');
  });

  it('rejects bad queries and one-player games', async () => {
    for (const [path, status] of [
      ['/duel/ratings?game=brick', 400],
      ['/duel/ratings?game=Not%20a%20game', 400],
      ['/duel/ratings?game=duel&extra=1', 400],
      ['/duel/ratings?game=nope', 404],
    ] as const) {
      const res = await api(server, path);
      expect(res.status, path).toBe(status);
      expect(typeof res.body.error.message).toBe('string');
    }
  });
});

describe('matches API', () => {
  it('pages matches newest first and filters them by version and agent', async () => {
    const all = await api(server, '/matches?game=duel');
    expect(all.status).toBe(200);
    expect(all.body.matches.map((m: { id: number }) => m.id)).toEqual([...matchIds].reverse());
    expect(all.body.nextBeforeId).toBeNull();
    const first = await api(server, '/matches?limit=2');
    expect(first.body.matches).toHaveLength(2);
    const rest = await api(server, `/matches?limit=2&beforeId=${first.body.nextBeforeId}`);
    expect(rest.body.matches.map((m: { id: number }) => m.id)).toEqual([matchIds[0]]);
    const cpu = await api(server, `/matches?version=${ids['cpu-hard']}`);
    expect(cpu.body.matches).toHaveLength(1);
    expect(cpu.body.matches[0]).toMatchObject({ playerA: ids.random, playerB: ids['cpu-hard'] });
    const scripted = storage().getAgentVersion(ids.scripted)!.agentId;
    const byAgent = await api(server, `/matches?agent=${scripted}`);
    expect(byAgent.body.matches).toHaveLength(2);
    for (const m of byAgent.body.matches) {
      expect([m.playerA, m.playerB]).toContain(ids.scripted);
      expect(m.players.map((p: { agentName: string }) => p.agentName).sort()).toEqual([
        'random',
        'scripted',
      ]);
    }
    expect((await api(server, '/matches?version=abc')).status).toBe(400);
    expect((await api(server, '/matches?limit=0')).status).toBe(400);
    expect((await api(server, '/matches?agent=9999')).status).toBe(404);
  });

  it('serves one match and a replay that reproduces its points', async () => {
    for (const id of matchIds) {
      const { status, body } = await api(server, `/matches/${id}`);
      expect(status).toBe(200);
      const match = body.match;
      expect(match.players).toHaveLength(2);
      expect(match.replayUrl).toBe(`/api/matches/${id}/replay`);
      expect(match.frames).toBe(FRAMES);
      const replay = (await api(server, `/matches/${id}/replay`)).body.replay;
      expect(replay.controller1).toHaveLength(match.frames);
      expect(replay.controller2).toHaveLength(match.frames);
      const controllers = replay.controller1.flatMap((c: number, i: number) => [
        c,
        replay.controller2[i],
      ]);
      const again = replayMatch({
        game: replay.settings.game,
        gameSeed: replay.settings.gameSeed,
        gameSettings: replay.settings.gameSettings,
        controllers,
      });
      expect(again.scores).toEqual([match.scoreA, match.scoreB]);
    }
    expect((await api(server, '/matches/9999')).status).toBe(404);
    expect((await api(server, '/matches/abc')).status).toBe(400);
    expect((await api(server, '/matches/9999/replay')).status).toBe(404);
  });

  it('plays a recorded match back in a live room with both players named', async () => {
    const id = matchIds[0];
    const bad = await api(server, `/matches/${id}/watch`, post({ speed: 3 }));
    expect(bad.status).toBe(400);
    expect((await api(server, '/matches/9999/watch', post({}))).status).toBe(404);
    const opened = await api(server, `/matches/${id}/watch`, post({ speed: 4 }));
    expect(opened.status).toBe(201);
    const again = await api(server, `/matches/${id}/watch`, post({ speed: 4 }));
    expect(again.body.roomId).toBe(opened.body.roomId);
    const socket: Socket = io(`${server.url}${LIVE_NAMESPACE}`, { transports: ['websocket'] });
    try {
      const frame = await new Promise<{ players?: { name: string; score: number }[] }>(
        (resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no replay frame')), 20_000);
          const viewer = new LiveViewer({
            send: (m) => socket.emit(LIVE_EVENT, m),
            onFrame: (f) => {
              clearTimeout(timer);
              resolve(f.message);
            },
          });
          socket.on(LIVE_EVENT, (m) => viewer.receive(m));
          viewer.join(opened.body.roomId);
        },
      );
      expect(frame.players?.map((p) => p.name)).toEqual(['scripted v1', 'random v1']);
    } finally {
      socket.close();
    }
  }, 60_000);
});

function storage() {
  return server.storage;
}
