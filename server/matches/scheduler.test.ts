/**
 * The match scheduler: who meets whom (never itself, never its own agent, never the computer
 * against the computer), new versions first, close ratings preferred; and the scheduler itself
 * keeping pairings going on an executor within its concurrency, recording legs and ratings.
 */
import { describe, expect, it } from 'vitest';
import { ARENA_CONDITIONS } from '../../agents/evaluation/conditions.ts';
import { loadGame } from '../../emulators/manifest/index.ts';
import { Rng } from '../../emulators/rng.ts';
import { freshStorage } from '../../tests/support/storeFixtures.ts';
import { ArenaEvents, type LeaderboardChange } from '../events/index.ts';
import { TASK_PRIORITY } from '../priorities.ts';
import type { Storage } from '../storage/base.ts';
import { SYSTEM_OWNER } from '../storage/types.ts';
import type { MatchExecutor, RunMatchOptions } from './executor.ts';
import type { MatchPlayer } from './player.ts';
import { RatingsKeeper } from './ratings.ts';
import { ensureReferencePlayers } from './referencePlayers.ts';
import { runMatchTask } from './runMatch.ts';
import { type Candidate, choosePairing, type MatchLobby, MatchScheduler } from './scheduler.ts';

const candidate = (versionId: number, extra: Partial<Candidate> = {}): Candidate => ({
  versionId,
  agentId: versionId,
  name: `v${versionId}`,
  computer: false,
  rating: 1000,
  lower: 980,
  upper: 1020,
  matches: 100,
  ...extra,
});

describe('choosePairing', () => {
  it('never pairs a version with itself, two versions of one agent, or the computer with itself', () => {
    const pool: Candidate[] = [
      candidate(1),
      candidate(2, { agentId: 1 }), // a second version of agent 1
      candidate(3, { computer: true }),
      candidate(4, { computer: true, rating: 1200, lower: 1150, upper: 1250 }),
      candidate(5, { rating: null, lower: null, upper: null, matches: 0 }),
      candidate(6, { rating: 700, lower: 600, upper: 800 }),
    ];
    const rng = new Rng(1);
    const met = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const pair = choosePairing(pool, rng);
      expect(pair).not.toBeNull();
      const [a, b] = pair!;
      expect(a.versionId).not.toBe(b.versionId);
      expect(a.agentId).not.toBe(b.agentId);
      expect(a.computer && b.computer).toBe(false);
      met.add([a.versionId, b.versionId].sort().join('-'));
    }
    // Every allowed pair meets now and then: 15 pairs less 1-2 (same agent) and 3-4 (computers).
    expect(met.size).toBe(13);
    expect(choosePairing([candidate(1)], rng)).toBeNull();
    expect(
      choosePairing([candidate(1, { computer: true }), candidate(2, { computer: true })], rng),
    ).toBeNull();
  });

  it('gives a new, unrated version most of the matches until it settles', () => {
    const settled = [1, 2, 3, 4].map((id) => candidate(id));
    const fresh = candidate(9, { rating: null, lower: null, upper: null, matches: 0 });
    const rng = new Rng(2);
    let withFresh = 0;
    const draws = 2000;
    for (let i = 0; i < draws; i++) {
      const [a, b] = choosePairing([...settled, fresh], rng)!;
      if (a.versionId === 9 || b.versionId === 9) withFresh++;
    }
    // Uniform pairing would give it 2 of 5 players' share (40%); it gets far more.
    expect(withFresh / draws).toBeGreaterThan(0.8);
    // Once settled it is one player among equals again.
    let after = 0;
    for (let i = 0; i < draws; i++) {
      const [a, b] = choosePairing([...settled, candidate(9)], rng)!;
      if (a.versionId === 9 || b.versionId === 9) after++;
    }
    expect(after / draws).toBeGreaterThan(0.3);
    expect(after / draws).toBeLessThan(0.5);
  });

  it('prefers opponents of close rating', () => {
    const me = candidate(1, { rating: null, lower: null, upper: null, matches: 0 });
    const near = candidate(2, { rating: 1020, lower: 1000, upper: 1040 });
    const far = candidate(3, { rating: 1700, lower: 1680, upper: 1720 });
    const rng = new Rng(3);
    const against = { near: 0, far: 0 };
    for (let i = 0; i < 3000; i++) {
      const pair = choosePairing([me, near, far], rng)!;
      if (pair[0].versionId !== 1) continue;
      if (pair[1].versionId === 2) against.near++;
      else against.far++;
    }
    expect(against.near).toBeGreaterThan(5 * against.far);
    expect(against.far).toBeGreaterThan(0);
  });
});

/** Runs pairings in this thread, one at a time through a queue, and records the most at once. */
class InThreadExecutor implements MatchExecutor {
  readonly size = 2;
  running = 0;
  mostAtOnce = 0;
  tasks: RunMatchOptions['task'][] = [];
  load() {
    return this.running;
  }
  async runMatch(opts: RunMatchOptions): Promise<void> {
    this.running++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    this.tasks.push(opts.task);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      await runMatchTask(opts.task, opts.onLeg);
    } finally {
      this.running--;
    }
  }
}

describe('MatchScheduler', () => {
  it('keeps pairings going within its concurrency and records legs and ratings', async () => {
    const storage = freshStorage();
    const entry = loadGame('duel').entry;
    storage.upsertGame({ id: 'duel', title: entry.title, romSha1: entry.sha1, baselines: null });
    const owner = storage.createOwner({ name: SYSTEM_OWNER });
    for (const name of ['random', 'scripted']) {
      const agent = storage.createAgent({
        ownerId: owner.id,
        gameId: 'duel',
        name,
        kind: 'builtin',
      });
      storage.addAgentVersion({ agentId: agent.id, metadata: { builtin: name } });
    }
    expect(ensureReferencePlayers(storage)).toHaveLength(3);
    expect(ensureReferencePlayers(storage)).toHaveLength(0);
    const executor = new InThreadExecutor();
    const ratings = new RatingsKeeper({ storage, quietMs: 50 });
    const events = new ArenaEvents();
    const changes: LeaderboardChange[] = [];
    events.onLeaderboardChanged((c) => changes.push(c));
    const scheduler = new MatchScheduler({
      events,
      storage,
      executor,
      ratings,
      secret: new Uint8Array(32),
      dataDir: '/nonexistent',
      conditions: { ...ARENA_CONDITIONS, maxEpisodeFrames: 240, noopMax: 0 },
      seed: 5,
    });
    scheduler.start();
    const deadline = Date.now() + 120_000;
    while (storage.listMatches().length < 12 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    scheduler.stop();
    await scheduler.drain();
    ratings.close();
    const matches = storage.listMatches({ limit: 1000 });
    expect(matches.length).toBeGreaterThanOrEqual(12);
    expect(executor.mostAtOnce).toBeLessThanOrEqual(executor.size);
    expect(scheduler.counts.failures).toBe(0);
    for (const m of matches) expect(m.playerA).not.toBe(m.playerB);
    for (const task of executor.tasks) {
      // The computer only ever plays controller 2, and never against itself.
      expect(task.players[0].kind).toBe('agent');
      expect(new Set(task.players.map((p) => p.name)).size).toBe(2);
    }
    // Ratings cover everyone who played, and the scripted agent is the fixed point.
    const rated = storage.listRatings('duel');
    const scripted = storage.findAgent({ gameId: 'duel', name: 'scripted' })!;
    const scriptedVersion = storage.getAgentDetails(scripted.id)!.versions[0].id;
    const played = new Set(matches.flatMap((m) => [m.playerA, m.playerB]));
    expect(new Set(rated.map((r) => r.versionId))).toEqual(played);
    if (played.has(scriptedVersion)) {
      expect(rated.find((r) => r.versionId === scriptedVersion)?.rating).toBeCloseTo(1000, 6);
    }
    // Each recorded leg told both of its players' changes (open Duel pages reload on them).
    expect(changes).toHaveLength(2 * matches.length);
    const told = new Set(changes.map((c) => c.versionId));
    expect(told).toEqual(played);
    expect(changes.every((c) => c.game === 'duel' && !c.evaluationEnded)).toBe(true);
    storage.close();
  }, 180_000);
});

/** Holds every match it is given until released, recording each one's priority and players. */
class HoldingExecutor implements MatchExecutor {
  readonly size = 2;
  readonly started: { priority: number; players: string[]; release: () => void }[] = [];
  load() {
    return this.started.length;
  }
  runMatch(opts: RunMatchOptions): Promise<void> {
    return new Promise((resolve) => {
      this.started.push({
        priority: opts.priority ?? 0,
        players: opts.task.players.map((p) => p.name),
        release: () => resolve(),
      });
    });
  }
}

function duelStore(): Storage {
  const storage = freshStorage();
  const entry = loadGame('duel').entry;
  storage.upsertGame({ id: 'duel', title: entry.title, romSha1: entry.sha1, baselines: null });
  const owner = storage.createOwner({ name: SYSTEM_OWNER });
  for (const name of ['random', 'scripted']) {
    const agent = storage.createAgent({ ownerId: owner.id, gameId: 'duel', name, kind: 'builtin' });
    storage.addAgentVersion({ agentId: agent.id, metadata: { builtin: name } });
  }
  ensureReferencePlayers(storage);
  return storage;
}

const until = async (ok: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

describe('MatchScheduler priorities', () => {
  it('plays unrated players first, and a waiting remote agent past the concurrency', async () => {
    const storage = duelStore();
    const guest = storage.createOwner({ name: 'guest' });
    const remote = storage.createAgent({
      ownerId: guest.id,
      gameId: 'duel',
      name: 'far-away',
      kind: 'remote',
    });
    const remoteVersion = storage.addAgentVersion({ agentId: remote.id, metadata: {} });
    const executor = new HoldingExecutor();
    const ratings = new RatingsKeeper({ storage, quietMs: 50 });
    let waiting = false;
    let claimed = 0;
    const lobby: MatchLobby = {
      waiting: () => (waiting ? [{ versionId: remoteVersion.id }] : []),
      claim: (versionId) => {
        if (!waiting || versionId !== remoteVersion.id) return null;
        waiting = false;
        claimed++;
        return { name: 'far-away', act: () => 0 } satisfies MatchPlayer;
      },
    };
    const scheduler = new MatchScheduler({
      storage,
      executor,
      ratings,
      lobby,
      secret: new Uint8Array(32),
      dataDir: '/nonexistent',
      conditions: ARENA_CONDITIONS,
      idlePollMs: 20,
      seed: 9,
    });
    scheduler.start();
    // Nobody is rated yet: both slots fill with first matches, at their own priority.
    await until(() => executor.started.length === 2);
    expect(executor.started.map((m) => m.priority)).toEqual([
      TASK_PRIORITY.firstMatch,
      TASK_PRIORITY.firstMatch,
    ]);
    // Every slot is taken, yet a remote agent arriving in the lobby is paired at once.
    waiting = true;
    await until(() => executor.started.length === 3);
    expect(claimed).toBe(1);
    expect(executor.started[2].priority).toBe(TASK_PRIORITY.remoteMatch);
    expect(executor.started[2].players).toContain('far-away');
    // No more than that: with the remote agent playing and the slots full, nothing else starts.
    await new Promise((r) => setTimeout(r, 100));
    expect(executor.started).toHaveLength(3);
    scheduler.stop();
    for (const m of executor.started) m.release();
    await scheduler.drain();
    ratings.close();
    storage.close();
  });

  it('plays rated players at the match priority', async () => {
    const storage = duelStore();
    // Rate everyone: the scheduler reads ratings from the store.
    const versions = storage
      .listAgents({ gameId: 'duel' })
      .map((a) => storage.getAgentDetails(a.id)!.versions[0].id);
    storage.replaceRatings(
      'duel',
      versions.map((versionId) => ({
        versionId,
        rating: 1000,
        lower: 900,
        upper: 1100,
        matches: 3,
      })),
    );
    const executor = new HoldingExecutor();
    const ratings = new RatingsKeeper({ storage, quietMs: 50 });
    const scheduler = new MatchScheduler({
      storage,
      executor,
      ratings,
      secret: new Uint8Array(32),
      dataDir: '/nonexistent',
      conditions: ARENA_CONDITIONS,
      seed: 3,
    });
    scheduler.start();
    await until(() => executor.started.length === 2);
    expect(executor.started.map((m) => m.priority)).toEqual([
      TASK_PRIORITY.match,
      TASK_PRIORITY.match,
    ]);
    scheduler.stop();
    for (const m of executor.started) m.release();
    await scheduler.drain();
    ratings.close();
    storage.close();
  });
});
