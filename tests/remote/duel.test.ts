/**
 * Remote agents in Duel matches: an agent that says `mode: 'duel'` waits in the lobby, the match
 * runner claims it as a `MatchPlayer` and plays real matches with it on either controller (its
 * observations are its own side's, its score its own points); going silent or disconnecting
 * forfeits the match with TIMEOUT or DISCONNECT, and the agent leaves the lobby.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARENA_CONDITIONS } from '../../agents/evaluation/conditions.ts';
import { loadManifest } from '../../emulators/manifest/index.ts';
import { computerPlayer } from '../../server/matches/localPlayers.ts';
import type { MatchPlayer } from '../../server/matches/player.ts';
import { type PlayedMatch, playMatch } from '../../server/matches/runMatch.ts';
import { register, startTestServer, type TestServer } from '../server/helpers.ts';
import { type Incoming, TestAgent } from './agentClient.ts';

const STEP_MS = 100;
const BANK_MS = 500;

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({
    remote: { stepBudgetMs: STEP_MS, timeBankMs: BANK_MS, envWorkers: 1 },
  });
  const duel = loadManifest().find((e) => e.id === 'duel')!;
  server.storage.upsertGame({ id: 'duel', title: duel.title, romSha1: duel.sha1, baselines: null });
  token = await register(server, 'dora');
});

afterAll(async () => {
  await server?.dispose();
});

const conditions = { ...ARENA_CONDITIONS, maxEpisodeFrames: 600 };

/** Connects in Duel mode and waits until the lobby lists the agent. */
async function waitingAgent(name: string) {
  const agent = await TestAgent.websocket(server.url);
  agent.hello(token, { agent: name, game: 'duel', mode: 'duel', observation: 'frame' });
  const welcome = await agent.expect('welcome');
  expect(welcome).toMatchObject({ mode: 'duel', actions: ['NOOP', 'UP', 'DOWN'], episodes: null });
  const waiting = server.remote.lobby.waiting('duel');
  expect(waiting.map((w) => w.agentName)).toContain(name);
  return { agent, versionId: welcome.versionId };
}

/** Answers observations (`answer` decides; null = stay silent) until `match_end`. */
async function answerMatch(agent: TestAgent, answer: (step: number) => number | null) {
  const seen: Incoming[] = [];
  for (;;) {
    const m = await agent.next();
    if (!m) return seen;
    seen.push(m);
    if (m.type === 'match_end') return seen;
    if (m.type === 'observation') {
      const action = answer(m.step);
      if (action !== null) agent.act(m.step, action);
    }
  }
}

describe('remote agents in Duel matches', () => {
  it('play matches on either controller through the MatchPlayer interface, then wait again', async () => {
    const { agent, versionId } = await waitingAgent('duelist');
    const player = server.remote.lobby.claim(versionId)!;
    expect(player).not.toBeNull();
    expect(server.remote.lobby.waiting('duel')).toEqual([]);
    expect(server.remote.lobby.claim(versionId)).toBeNull();

    // Controller 1 against the computer.
    const [leg1, seen1] = await Promise.all([
      playMatch({
        setup: { game: 'duel', seed: 11, conditions, computerLevel: 'easy' },
        players: [player, computerPlayer('cpu')],
      }),
      answerMatch(agent, (step) => 1 + (step % 2)),
    ]);
    expect(seen1[0]).toEqual({ type: 'match_start', side: 1, opponent: 'cpu' });
    const obs1 = seen1.filter((m) => m.type === 'observation');
    expect(obs1.length).toBeGreaterThan(100);
    expect(obs1.every((o) => o.type === 'observation' && o.pixels.length === 84 * 84)).toBe(true);
    expect(obs1.map((o) => o.type === 'observation' && o.step)).toEqual(obs1.map((_, i) => i));
    const end1 = seen1.at(-1)!;
    expect(end1).toMatchObject({ type: 'match_end', outcome: 'OK', reason: null });
    expect(leg1.forfeit).toBeNull();
    expect(end1.type === 'match_end' && [end1.score, end1.opponentScore]).toEqual(leg1.scores);

    // Controller 2 against a player that never moves: the agent sees its own side and points.
    const still: MatchPlayer = { name: 'still', act: () => 0 };
    const [leg2, seen2] = await Promise.all([
      playMatch({ setup: { game: 'duel', seed: 12, conditions }, players: [still, player] }),
      answerMatch(agent, () => 2),
    ]);
    expect(seen2[0]).toEqual({ type: 'match_start', side: 2, opponent: 'still' });
    const end2 = seen2.at(-1)!;
    expect(end2.type === 'match_end' && [end2.score, end2.opponentScore]).toEqual([
      leg2.scores[1],
      leg2.scores[0],
    ]);
    const lastObs = seen2.filter((m) => m.type === 'observation').at(-1)!;
    expect(lastObs.type === 'observation' && lastObs.score).toBeLessThanOrEqual(leg2.scores[1]);

    player.dispose();
    expect(server.remote.lobby.waiting('duel').map((w) => w.versionId)).toEqual([versionId]);
    agent.disconnect();
    await agent.closed;
    await new Promise((r) => setTimeout(r, 100));
    expect(server.remote.lobby.waiting('duel')).toEqual([]);
  });

  it('forfeit a match with TIMEOUT when silent and DISCONNECT when gone; the opponent wins', async () => {
    const silent = await waitingAgent('sleepy');
    const sleepy = server.remote.lobby.claim(silent.versionId)!;
    const t0 = performance.now();
    const [timedOut, seen] = await Promise.all([
      playMatch({
        setup: { game: 'duel', seed: 13, conditions, computerLevel: 'easy' },
        players: [sleepy, computerPlayer('cpu')],
      }),
      answerMatch(silent.agent, (step) => (step < 20 ? 1 : null)),
    ]);
    expect(timedOut.forfeit).toMatchObject({ side: 1, code: 'TIMEOUT' });
    expect(timedOut.outcome).toBe('b');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(BANK_MS + 3 * STEP_MS - 20);
    expect(seen.at(-1)).toMatchObject({ type: 'match_end', outcome: 'TIMEOUT', result: 'loss' });
    sleepy.dispose();
    await silent.agent.closed;

    const gone = await waitingAgent('leaver');
    const leaver = server.remote.lobby.claim(gone.versionId)!;
    let played: PlayedMatch | null = null;
    const match = playMatch({
      setup: { game: 'duel', seed: 14, conditions, computerLevel: 'easy' },
      players: [leaver, computerPlayer('cpu')],
    }).then((m) => {
      played = m;
    });
    await answerMatch(gone.agent, (step) => {
      if (step === 10) gone.agent.disconnect();
      return 1;
    });
    await match;
    expect(played!.forfeit).toMatchObject({ side: 1, code: 'DISCONNECT' });
    leaver.dispose();
    expect(server.remote.lobby.waiting('duel')).toEqual([]);
  });
});
