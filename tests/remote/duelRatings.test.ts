/**
 * Remote agents in the Duel ratings: with the match scheduler on, agents waiting in the lobby are
 * paired like any other player. Their matches run on the worker pool while their sockets stay on
 * the server's thread (a relay carries each step across); both legs of a pairing are played from
 * the same seed with sides swapped; the results are recorded with replays that reproduce them,
 * and the ratings list the agents marked remote. An agent that leaves forfeits its match in play
 * and is paired no more; the other plays on against the arena's own players.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../emulators/manifest/index.ts';
import type { MatchReplaySettings } from '../../server/matches/record.ts';
import { ensureReferencePlayers } from '../../server/matches/referencePlayers.ts';
import { replayMatch } from '../../server/matches/replay.ts';
import { SYSTEM_OWNER } from '../../server/storage/types.ts';
import { api, register, startTestServer, type TestServer } from '../server/helpers.ts';
import { TestAgent } from './agentClient.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({
    matches: true,
    workers: 1,
    conditions: { maxEpisodeFrames: 600 },
  });
  const duel = loadManifest().find((e) => e.id === 'duel')!;
  server.storage.upsertGame({ id: 'duel', title: duel.title, romSha1: duel.sha1, baselines: null });
  token = await register(server, 'rita');
});

afterAll(async () => {
  await server?.dispose();
});

interface Seat {
  agent: TestAgent;
  versionId: number;
  /** Sides of the matches it was offered, in order; results as the server reported them. */
  sides: number[];
  results: string[];
  /** Resolves when the connection closes. */
  done: Promise<void>;
}

/** Connects in Duel mode and answers every observation with `policy` until the connection ends. */
async function seat(name: string, policy: (step: number) => number): Promise<Seat> {
  const agent = await TestAgent.websocket(server.url);
  agent.hello(token, { agent: name, game: 'duel', mode: 'duel', observation: 'frame' });
  const welcome = await agent.expect('welcome');
  const s: Seat = { agent, versionId: welcome.versionId, sides: [], results: [], done: null! };
  s.done = (async () => {
    for (;;) {
      const m = await agent.next(300_000);
      if (!m) return;
      if (m.type === 'match_start') s.sides.push(m.side);
      else if (m.type === 'match_end') s.results.push(`${m.outcome}:${m.result}`);
      else if (m.type === 'observation') agent.act(m.step, policy(m.step));
    }
  })();
  return s;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 180_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface RatingRow {
  versionId: number;
  agentName: string;
  kind: string;
  matches: number;
  wins: number;
  losses: number;
  draws: number;
  rating: number;
}

interface MatchRow {
  id: number;
  playerA: number;
  playerB: number;
  scoreA: number;
  scoreB: number;
  seed: number;
}

describe('remote agents in the Duel ratings', () => {
  it('are paired by the scheduler, play both sides from one seed, and are rated as remote', async () => {
    // One always moves up, the other alternates: different play on each side.
    const up = await seat('climber', () => 1);
    const zig = await seat('zigzag', (step) => 1 + (Math.floor(step / 8) % 2));
    const remotes = [up.versionId, zig.versionId];

    const matches = await until('both legs of a pairing', async () => {
      const { body } = await api(server, `/matches?game=duel&version=${up.versionId}`);
      const rows = (body as { matches: MatchRow[] }).matches;
      return rows.length >= 2 ? rows : undefined;
    });
    // The two legs: same seed, each agent once on controller 1.
    const [second, first] = matches;
    expect(first.seed).toBe(second.seed);
    expect([first.playerA, first.playerB].sort()).toEqual([...remotes].sort());
    expect([second.playerA, second.playerB]).toEqual([first.playerB, first.playerA]);
    expect(up.sides.slice(0, 2).sort()).toEqual([1, 2]);
    expect(zig.sides.slice(0, 2).sort()).toEqual([1, 2]);
    await until('both agents to hear the ends', async () =>
      up.results.length >= 2 && zig.results.length >= 2 ? true : undefined,
    );
    expect(up.results.slice(0, 2).every((r) => r.startsWith('OK:'))).toBe(true);

    // The recorded replay reproduces the recorded score.
    const { body: detail } = await api(server, `/matches/${first.id}`);
    const stored = server.storage.getMatch(first.id)!;
    const replay = server.storage.getReplay(stored.replayId!)!;
    const settings = replay.settings as unknown as MatchReplaySettings;
    const replayed = replayMatch({
      game: 'duel',
      gameSeed: settings.gameSeed,
      gameSettings: settings.gameSettings,
      controllers: replay.actions,
    });
    expect(replayed.scores).toEqual([first.scoreA, first.scoreB]);
    expect(detail).toMatchObject({ match: { id: first.id, forfeit: null, leg: 0 } });

    // Both are on the ratings table, marked remote, with what they played.
    const rated = await until('both remote agents rated', async () => {
      const { body } = await api(server, '/duel/ratings?game=duel');
      const rows = (body as { ratings: RatingRow[] }).ratings.filter((r) =>
        remotes.includes(r.versionId),
      );
      return rows.length === 2 ? rows : undefined;
    });
    for (const row of rated) {
      expect(row.kind).toBe('remote');
      expect(row.matches).toBeGreaterThanOrEqual(2);
      expect(row.wins + row.losses + row.draws).toBe(row.matches);
      expect(Number.isFinite(row.rating)).toBe(true);
    }

    // One leaves: the other plays on, now against the arena's own players.
    zig.agent.disconnect();
    await zig.done;
    await until('the lobby to let zigzag go', async () =>
      server.remote.lobby.waiting('duel').some((w) => w.versionId === zig.versionId)
        ? undefined
        : true,
    );
    const lastId = server.storage.listMatches({ gameId: 'duel', limit: 1 })[0].id;
    // The arena's own players join: its scripted agent and the computer at each level.
    const arena = server.storage.createOwner({ name: SYSTEM_OWNER });
    const scripted = server.storage.createAgent({
      ownerId: arena.id,
      gameId: 'duel',
      name: 'scripted',
      kind: 'builtin',
    });
    server.storage.addAgentVersion({ agentId: scripted.id, metadata: { builtin: 'scripted' } });
    expect(ensureReferencePlayers(server.storage)).toHaveLength(3);
    const localMatch = await until('a match against a local player', async () =>
      server.storage.listMatches({ gameId: 'duel', limit: 1000 }).find((m) => {
        const players = [m.playerA, m.playerB];
        return m.id > lastId && players.includes(up.versionId) && !players.includes(zig.versionId);
      }),
    );
    const opponentId =
      localMatch.playerA === up.versionId ? localMatch.playerB : localMatch.playerA;
    const opponent = server.storage.getAgentVersion(opponentId)!;
    expect(server.storage.getAgent(opponent.agentId)!.kind).toBe('builtin');
    // A match zigzag left in the middle was recorded as its forfeit, and none came after.
    const late = server.storage
      .listMatches({ gameId: 'duel', versionId: zig.versionId, limit: 1000 })
      .filter((m) => m.id > lastId);
    for (const m of late) {
      const { body } = await api(server, `/matches/${m.id}`);
      const zigSide = m.playerA === zig.versionId ? 1 : 2;
      expect(body.match.forfeit).toMatchObject({ side: zigSide, code: 'DISCONNECT' });
      expect(m.id).toBeLessThan(localMatch.id);
    }
    up.agent.disconnect();
    await up.done;
  }, 300_000);
});
