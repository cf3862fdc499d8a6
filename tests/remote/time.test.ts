/**
 * What a remote agent is told of its time (protocol version 2), against a real server: every
 * observation carries the bank left and the steps missed in a row, exactly as the server's budget
 * has them when it sends the observation; every late step is reported in a `late` message before
 * the next observation, in episodes and in matches. A version-1 agent is sent neither. A forfeit
 * ends with `episode_end` and a close, never `done`. `match` is the mode's name and `duel` its alias.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../emulators/manifest/index.ts';
import { computerPlayer } from '../../server/matches/localPlayers.ts';
import { playMatch } from '../../server/matches/runMatch.ts';
import type { LateMessage } from '../../server/remote/protocol.ts';
import { register, startTestServer, type TestServer } from '../server/helpers.ts';
import { type Incoming, type Observation, TestAgent } from './agentClient.ts';

const STEP_MS = 100;
const BANK_MS = 1_000;
const LATE_LIMIT = 3;
/** How long the slow agent takes over each reply: 150 ms more than its step allows. */
const SLOW_MS = 250;

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({
    // Episodes long enough (some 500 agent steps) that only the agent's slowness ends them.
    conditions: { maxEpisodeFrames: 2_000 },
    remote: { stepBudgetMs: STEP_MS, timeBankMs: BANK_MS, lateLimit: LATE_LIMIT, envWorkers: 1 },
  });
  const duel = loadManifest().find((e) => e.id === 'duel')!;
  server.storage.upsertGame({ id: 'duel', title: duel.title, romSha1: duel.sha1, baselines: null });
  token = await register(server, 'tempo');
});

afterAll(async () => {
  await server?.dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Checks the time each observation carries against the server's own accounts: the bank only
 * changes with a late step, and each observation says what the `late` report before it said
 * (or, without one, what the observation before it said).
 */
function checkTimeline(messages: Incoming[], startBankMs: number): void {
  let expected = { bankMs: startBankMs, missedInARow: 0 };
  for (const m of messages) {
    if (m.type === 'late') expected = { bankMs: m.bankMs, missedInARow: m.missedInARow };
    else if (m.type === 'observation') {
      expect(m.protocol).toBe(2);
      expect(m.time).toEqual(expected);
    }
  }
}

/** Each late reply leaves the bank with its lateness: whole ms, so within rounding. */
function checkBankDraws(lates: LateMessage[], startBankMs: number): void {
  let bank = startBankMs;
  for (const late of lates) {
    const drawn = late.missed ? bank : late.elapsedMs - STEP_MS;
    expect(Math.abs(Math.max(0, bank - drawn) - late.bankMs)).toBeLessThanOrEqual(2);
    bank = late.bankMs;
  }
}

describe('the time a remote agent is told', () => {
  it('a slow agent gets late reports with a shrinking bank, then misses steps and forfeits without done', async () => {
    const agent = await TestAgent.websocket(server.url);
    agent.hello(token, { agent: 'slowpoke', observation: 'frame' });
    const welcome = await agent.expect('welcome');
    expect(welcome).toMatchObject({
      protocol: 2,
      observation: { format: 'frame', headerBytes: 24 },
      budget: { stepMs: STEP_MS, bankMs: BANK_MS, lateLimit: LATE_LIMIT },
    });

    // Quick for three steps, slow until a step is missed, then silent.
    const messages: Incoming[] = [];
    let answered = 0;
    let silent = false;
    for (;;) {
      const m = await agent.next();
      if (!m) break;
      messages.push(m);
      if (m.type === 'late' && m.missed) silent = true;
      if (m.type !== 'observation' || silent) continue;
      if (answered >= 3) await sleep(SLOW_MS);
      agent.act(m.step, 0);
      answered++;
    }

    const first = messages.find((m) => m.type === 'observation') as Observation;
    expect(first.step).toBe(0);
    expect(first.time).toEqual({ bankMs: BANK_MS, missedInARow: 0 });
    checkTimeline(messages, BANK_MS);

    const lates = messages.filter((m): m is LateMessage & { type: 'late' } => m.type === 'late');
    const drawn = lates.filter((l) => !l.missed);
    const missed = lates.filter((l) => l.missed);
    // 150 ms over, from a 1,000 ms bank: several late replies are played before one is missed.
    expect(drawn.length).toBeGreaterThanOrEqual(4);
    for (const l of drawn) expect(l.elapsedMs).toBeGreaterThanOrEqual(SLOW_MS - 5);
    for (let i = 1; i < drawn.length; i++)
      expect(drawn[i].bankMs).toBeLessThan(drawn[i - 1].bankMs);
    expect(drawn.every((l) => l.missedInARow === 0)).toBe(true);
    checkBankDraws(lates, BANK_MS);
    // Then the bank is empty: each missed step is reported at its deadline, a step apart.
    expect(missed.map((l) => [l.bankMs, l.missedInARow])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
    expect(missed.map((l) => l.step - missed[0].step)).toEqual([0, 1, 2]);
    for (const l of missed.slice(1)) expect(l.elapsedMs).toBeGreaterThanOrEqual(STEP_MS - 5);
    // Each report comes before the next observation, which is the next step.
    for (const l of lates.slice(0, -1)) {
      const after = messages.slice(messages.indexOf(l) + 1).find((m) => m.type === 'observation');
      expect(after?.type === 'observation' && after.step).toBe(l.step + 1);
    }

    // The stale reply to the first missed step was ignored; the third miss forfeits.
    const end = messages.find((m) => m.type === 'episode_end');
    expect(end).toMatchObject({ outcome: 'TIMEOUT', steps: missed[2].step });
    expect(messages.indexOf(end!)).toBeGreaterThan(messages.indexOf(missed[2]));
    expect(messages.some((m) => m.type === 'done')).toBe(false);
    expect(messages.at(-1)).toBe(end);
    expect((await agent.closed).code).toBe(1000);
  });

  it('a version-1 agent is sent its 16-byte header and no late reports', async () => {
    const agent = await TestAgent.socketIo(server.url);
    agent.hello(token, { agent: 'old-timer', protocol: 1 });
    const welcome = await agent.expect('welcome');
    expect(welcome).toMatchObject({
      protocol: 1,
      observation: { format: 'stack', headerBytes: 16 },
    });
    const messages: Incoming[] = [];
    for (let m = await agent.next(); m; m = await agent.next()) messages.push(m);
    const observations = messages.filter((m) => m.type === 'observation');
    // Silent from the start: the bank, then three missed steps.
    expect(observations).toHaveLength(LATE_LIMIT);
    for (const o of observations) {
      expect(o).toMatchObject({ protocol: 1, time: null });
      expect(o.type === 'observation' && o.pixels.length).toBe(4 * 84 * 84);
    }
    expect(messages.map((m) => m.type)).toEqual([
      'episode_start',
      'observation',
      'observation',
      'observation',
      'episode_end',
    ]);
    expect(messages.at(-1)).toMatchObject({ type: 'episode_end', outcome: 'TIMEOUT' });
  });

  it("mode 'match' (and its alias 'duel') waits for matches; a match reports late steps too", async () => {
    const joined = async (name: string, mode: string) => {
      const agent = await TestAgent.websocket(server.url);
      agent.hello(token, { agent: name, game: 'duel', mode, observation: 'frame' });
      const welcome = await agent.expect('welcome');
      expect(welcome).toMatchObject({ mode, episodes: null, actions: ['NOOP', 'UP', 'DOWN'] });
      return { agent, versionId: welcome.versionId };
    };
    const matcher = await joined('matcher', 'match');
    const aliased = await joined('aliased', 'duel');
    expect(
      server.remote.lobby
        .waiting('duel')
        .map((w) => w.agentName)
        .sort(),
    ).toEqual(['aliased', 'matcher']);
    aliased.agent.disconnect();

    const player = server.remote.lobby.claim(matcher.versionId)!;
    const conditions = {
      stickyActionProbability: 0.25,
      noopMax: 30,
      maxEpisodeFrames: 600,
      modelEpsilon: 0,
    };
    const messages: Incoming[] = [];
    const [played] = await Promise.all([
      playMatch({
        setup: { game: 'duel', seed: 21, conditions, computerLevel: 'easy' },
        players: [player, computerPlayer('cpu')],
      }),
      (async () => {
        for (;;) {
          const m = await matcher.agent.next();
          if (!m) return;
          messages.push(m);
          if (m.type === 'match_end') return;
          if (m.type !== 'observation') continue;
          // Three slow replies: the bank pays for them, and the match goes on.
          if (m.step >= 5 && m.step < 8) await sleep(SLOW_MS);
          matcher.agent.act(m.step, 1);
        }
      })(),
    ]);
    expect(played.forfeit).toBeNull();
    expect(messages[0]).toMatchObject({ type: 'match_start', side: 1, opponent: 'cpu' });
    checkTimeline(messages, BANK_MS);
    const lates = messages.filter((m): m is LateMessage & { type: 'late' } => m.type === 'late');
    expect(lates.filter((l) => l.step >= 5 && l.step < 8).map((l) => l.step)).toEqual([5, 6, 7]);
    expect(lates.every((l) => !l.missed)).toBe(true);
    checkBankDraws(lates, BANK_MS);
    expect(messages.at(-1)).toMatchObject({ type: 'match_end', outcome: 'OK' });
    player.dispose();
    matcher.agent.disconnect();
  });
});
