/**
 * The match scheduler: while the server runs it keeps pairings of a two-player game's agents
 * playing on the worker pool (as many at once as the pool has workers, taking turns with the
 * long-running baseline evaluations rather than waiting for them all to end), records each leg
 * with its replay and refits the ratings.
 *
 * Who plays whom (`choosePairing`): the first player is drawn with more weight the less settled
 * its rating is (few matches, a wide interval; a version never rated counts as widest), so new
 * versions play more until their interval settles; its opponent is drawn with more weight the
 * closer their ratings (the Bradley–Terry information p(1 - p) of the match), with a floor so
 * every pair meets now and then. A version never meets itself nor another version of its own
 * agent, and the computer never meets the computer (both would need controller 2). Once every
 * player has settled, pairings start only every `settledPauseMs`.
 *
 * Remote agents (`lobby`) are candidates while they wait in the Duel lobby, connected now: they
 * weigh as much as the least settled players, never wait for the settled pause, and play from
 * this thread through a relay while the match itself runs on the pool like any other.
 */
import { createHmac } from 'node:crypto';
import type { EvalConditions } from '../../agents/evaluation/conditions.ts';
import { Rng } from '../../emulators/rng.ts';
import { agentSpecOf } from '../eval/evaluator.ts';
import type { ArenaEvents } from '../events/index.ts';
import { TASK_PRIORITY } from '../priorities.ts';
import type { Storage } from '../storage/base.ts';
import type { Agent, AgentVersion } from '../storage/types.ts';
import { computerLevelOf } from './computer.ts';
import type { MatchExecutor } from './executor.ts';
import type { MatchPlayer } from './player.ts';
import type { RatingsKeeper } from './ratings.ts';
import { ANCHOR_RATING } from './ratings.ts';
import { recordLeg } from './record.ts';
import { twoPlayerGames } from './referencePlayers.ts';
import type { MatchPlayerSpec, MatchTask } from './task.ts';

/** One version that may be paired, with what the stored ratings say about it. */
export interface Candidate {
  versionId: number;
  agentId: number;
  name: string;
  /** The game's own computer (it can only play controller 2). */
  computer: boolean;
  /** Null until the version has a rating. */
  rating: number | null;
  lower: number | null;
  upper: number | null;
  matches: number;
  /** A remote agent connected and waiting now: it should play while it is here. */
  remote?: boolean;
}

export interface PairingRules {
  /** A version with fewer matches is unsettled whatever its interval. Default 20. */
  minMatches: number;
  /** A version whose 95% interval is wider than this (Elo points) is unsettled. Default 150. */
  settleWidth: number;
  /** Least weight of an opponent however far its rating (so every pair meets). Default 0.05. */
  opponentFloor: number;
}

export const DEFAULT_PAIRING_RULES: Readonly<PairingRules> = Object.freeze({
  minMatches: 20,
  settleWidth: 150,
  opponentFloor: 0.05,
});

export function isSettled(c: Candidate, rules: PairingRules = DEFAULT_PAIRING_RULES): boolean {
  return (
    c.rating !== null &&
    c.matches >= rules.minMatches &&
    (c.upper ?? Number.POSITIVE_INFINITY) - (c.lower ?? Number.NEGATIVE_INFINITY) <=
      rules.settleWidth
  );
}

/** How much a candidate needs matches: >= 1 while unsettled, small once settled. */
export function needOf(c: Candidate, rules: PairingRules = DEFAULT_PAIRING_RULES): number {
  if (c.rating === null || c.lower === null || c.upper === null || c.remote) return 8;
  const width = c.upper - c.lower;
  const fewMatches = c.matches < rules.minMatches ? 2 : 0;
  return isSettled(c, rules) ? 0.25 : 1 + width / rules.settleWidth + fewMatches;
}

export function canMeet(a: Candidate, b: Candidate): boolean {
  return a.versionId !== b.versionId && a.agentId !== b.agentId && !(a.computer && b.computer);
}

/** Weight of `b` as `a`'s opponent: p(1 - p) scaled to 1 at equal ratings, plus the floor. */
export function closeness(
  a: Candidate,
  b: Candidate,
  rules: PairingRules = DEFAULT_PAIRING_RULES,
): number {
  const ra = a.rating ?? ANCHOR_RATING;
  const rb = b.rating ?? ANCHOR_RATING;
  const p = 1 / (1 + 10 ** ((rb - ra) / 400));
  return rules.opponentFloor + 4 * p * (1 - p);
}

function draw<T>(items: readonly T[], weights: readonly number[], rng: Rng): T | null {
  let total = 0;
  for (const w of weights) total += w;
  if (!(total > 0)) return null;
  let x = rng.next() * total;
  for (const [i, item] of items.entries()) {
    x -= weights[i];
    if (x < 0) return item;
  }
  return items[items.length - 1];
}

/**
 * Draws a pairing (see the module comment), or null when no two candidates may meet. With
 * `firstFrom`, the first player is drawn only among the candidates it accepts.
 */
export function choosePairing(
  candidates: readonly Candidate[],
  rng: Rng,
  rules: PairingRules = DEFAULT_PAIRING_RULES,
  firstFrom: (c: Candidate) => boolean = () => true,
): [Candidate, Candidate] | null {
  const playable = candidates.filter((c) => firstFrom(c) && candidates.some((o) => canMeet(c, o)));
  const first = draw(
    playable,
    playable.map((c) => needOf(c, rules)),
    rng,
  );
  if (!first) return null;
  const opponents = candidates.filter((c) => canMeet(first, c));
  const second = draw(
    opponents,
    opponents.map((c) => closeness(first, c, rules)),
    rng,
  );
  return second ? [first, second] : null;
}

/** A candidate with its stored version and agent. */
export type Entrant = Candidate & {
  version: AgentVersion;
  agent: Agent;
  /** A remote agent waiting in the lobby: it plays from this thread over a relay. */
  remote: boolean;
};

/**
 * Players that connect from elsewhere (remote agents in the Duel lobby): who is waiting now,
 * and taking one for a pairing. `dispose` on the claimed player gives it back.
 */
export interface MatchLobby {
  waiting(game: string): readonly { versionId: number }[];
  claim(versionId: number): MatchPlayer | null;
}

export interface MatchSchedulerOptions {
  storage: Storage;
  executor: MatchExecutor;
  ratings: RatingsKeeper;
  /** Server secret the match seeds derive from. */
  secret: Uint8Array;
  dataDir: string;
  /** The evaluation's conditions apply to matches too (the frame cap ends a match early). */
  conditions: EvalConditions;
  /**
   * Pairings in flight at once. Default the executor's size. A remote agent waiting in the lobby
   * is paired even when this many are in flight: it should not wait for a queue to drain.
   */
  concurrency?: number;
  /**
   * Pool priority of matches between rated players. Default `TASK_PRIORITY.match`, that of the
   * seeded baselines' evaluations, so the pool alternates between them. A pairing with a player
   * not rated yet runs at `TASK_PRIORITY.firstMatch` and one with a remote agent at
   * `TASK_PRIORITY.remoteMatch` (see `server/priorities.ts`).
   */
  priority?: number;
  rules?: Partial<PairingRules>;
  /** Wait between pairings once every player has settled. Default 20 s. */
  settledPauseMs?: number;
  /** Look for players again after this long when there were none to pair. Default 2 s. */
  idlePollMs?: number;
  /** Seed of the pairing draws (default: from the secret). */
  seed?: number;
  /** Remote agents waiting for matches; without one, remote agents are never paired. */
  lobby?: MatchLobby;
  /** Told of each recorded leg (after the quick refit), so open Duel pages reload. */
  events?: ArenaEvents;
  log?: (line: string) => void;
}

const BENCH_MS = 10 * 60_000;

export class MatchScheduler {
  private readonly rng: Rng;
  private readonly rules: PairingRules;
  private readonly concurrency: number;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private sequence = 0;
  private lastStart = 0;
  /** Versions whose last pairing failed (a model that does not load), until when. */
  private readonly benched = new Map<number, number>();
  /** Pairings started and legs recorded by this scheduler. */
  readonly counts = { pairings: 0, legs: 0, failures: 0 };

  constructor(private readonly options: MatchSchedulerOptions) {
    this.rules = { ...DEFAULT_PAIRING_RULES, ...options.rules };
    this.concurrency = Math.max(1, options.concurrency ?? options.executor.size);
    const digest = createHmac('sha256', options.secret).update('match-scheduler').digest();
    this.rng = new Rng(options.seed ?? digest.readUInt32BE(0));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.sequence = this.options.storage.listMatches({ limit: 1 })[0]?.id ?? 0;
    this.schedule(0);
  }

  /** Starts no more pairings; those running end when the executor closes or they finish. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** The candidates of a game as the storage has them now (latest version of each agent). */
  candidates(gameId: string): Entrant[] {
    const { storage } = this.options;
    const ratings = new Map(storage.listRatings(gameId).map((r) => [r.versionId, r]));
    const waiting = new Set(this.options.lobby?.waiting(gameId).map((w) => w.versionId) ?? []);
    const out: Entrant[] = [];
    for (const agent of storage.listAgents({ gameId })) {
      const remote = agent.kind === 'remote';
      // A remote agent plays while it waits in the lobby, as the version it connected with.
      const versions = (storage.getAgentDetails(agent.id)?.versions ?? []).filter(
        (v) => !remote || waiting.has(v.id),
      );
      const latest = versions.reduce<AgentVersion | null>(
        (best, v) => (best === null || v.version > best.version ? v : best),
        null,
      );
      if (!latest || (this.benched.get(latest.id) ?? 0) > Date.now()) continue;
      const rating = ratings.get(latest.id);
      out.push({
        versionId: latest.id,
        agentId: agent.id,
        name: agent.name,
        computer: computerLevelOf(latest) !== null,
        rating: rating?.rating ?? null,
        lower: rating?.lower ?? null,
        upper: rating?.upper ?? null,
        matches: rating?.matches ?? 0,
        version: latest,
        agent,
        remote,
      });
    }
    return out;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fill(), delayMs);
    this.timer.unref();
  }

  private fill(): void {
    this.timer = null;
    if (this.stopped) return;
    for (;;) {
      // Past the concurrency only pairings with a waiting remote agent start.
      const remoteOnly = this.inFlight.size >= this.concurrency;
      const next = this.nextPairing(remoteOnly);
      if (next === 'idle' || typeof next === 'number') {
        // With every slot taken, look again soon for remote agents arriving in the lobby.
        const idle = this.options.idlePollMs ?? 2000;
        this.schedule(next === 'idle' || remoteOnly ? idle : next);
        return;
      }
      const run = this.play(next.gameId, next.pair).finally(() => {
        this.inFlight.delete(run);
        this.schedule(0);
      });
      this.inFlight.add(run);
      if (remoteOnly) {
        // One at a time past the concurrency, each fill on its own turn of the event loop.
        this.schedule(0);
        return;
      }
    }
  }

  /**
   * A pairing to start now, a delay to wait before the next one, or 'idle' (nobody to pair);
   * with `remoteOnly`, only a pairing whose first player is a remote agent waiting now.
   */
  private nextPairing(
    remoteOnly = false,
  ): { gameId: string; pair: [Entrant, Entrant] } | number | 'idle' {
    for (const entry of twoPlayerGames(this.options.storage)) {
      const candidates = this.candidates(entry.id);
      const pair = choosePairing(
        candidates,
        this.rng,
        this.rules,
        remoteOnly ? (c) => c.remote === true : undefined,
      );
      if (!pair) continue;
      // A remote agent waiting now is never made to wait for the settled pause.
      const allSettled = candidates.every((c) => !c.remote && isSettled(c, this.rules));
      const pause = this.options.settledPauseMs ?? 20_000;
      const wait = this.lastStart + pause - Date.now();
      if (allSettled && wait > 0) return wait;
      const byId = new Map(candidates.map((c) => [c.versionId, c]));
      return {
        gameId: entry.id,
        pair: [byId.get(pair[0].versionId)!, byId.get(pair[1].versionId)!],
      };
    }
    return 'idle';
  }

  private specOf(c: Entrant): MatchPlayerSpec {
    if (c.remote) return { kind: 'relay', name: c.name };
    const level = computerLevelOf(c.version);
    if (level !== null) return { kind: 'computer', name: c.name, level };
    return { kind: 'agent', name: c.name, agent: agentSpecOf(c.version, this.options.dataDir) };
  }

  private async play(gameId: string, pair: [Entrant, Entrant]): Promise<void> {
    const { storage, executor, ratings } = this.options;
    // Which of the two starts on controller 1 is drawn; the computer is always controller 2.
    const swap = pair[0].computer || (!pair[1].computer && this.rng.next() < 0.5);
    const players = swap ? [pair[1], pair[0]] : [pair[0], pair[1]];
    const sequence = ++this.sequence;
    const digest = createHmac('sha256', this.options.secret)
      .update(`match:${gameId}:${sequence}`)
      .digest();
    const task: MatchTask = {
      game: gameId,
      conditions: this.options.conditions,
      seed: digest.readUInt32BE(0) >>> 1,
      players: [this.specOf(players[0]), this.specOf(players[1])],
    };
    const versionIds = [players[0].versionId, players[1].versionId] as const;
    // Remote players are taken from the lobby for the pairing; one that just left calls it off.
    const relays = new Map<number, MatchPlayer>();
    for (const [index, entrant] of players.entries()) {
      if (!entrant.remote) continue;
      const player = this.options.lobby?.claim(entrant.versionId) ?? null;
      if (!player) {
        for (const claimed of relays.values()) await claimed.dispose?.();
        return;
      }
      relays.set(index, player);
    }
    this.lastStart = Date.now();
    this.counts.pairings++;
    try {
      await executor.runMatch({
        task,
        relays,
        priority: players.some((p) => p.remote)
          ? TASK_PRIORITY.remoteMatch
          : players.some((p) => p.rating === null)
            ? TASK_PRIORITY.firstMatch
            : (this.options.priority ?? TASK_PRIORITY.match),
        onLeg: (result) => {
          // A version deleted while its match ran: nothing to record.
          if (versionIds.some((id) => storage.getAgentVersion(id) === null)) return;
          recordLeg(storage, { task, versionIds, result });
          this.counts.legs++;
          ratings.matchRecorded(gameId);
          for (const p of players) {
            this.options.events?.leaderboardChanged({
              game: gameId,
              agentId: p.agentId,
              versionId: p.versionId,
              evaluationEnded: false,
            });
          }
        },
      });
    } catch (error) {
      this.counts.failures++;
      if (!this.stopped) {
        // Both sit out a while: the failure may be either's, and retrying at once would spin.
        for (const id of versionIds) this.benched.set(id, Date.now() + BENCH_MS);
        this.options.log?.(
          `match ${players[0].name} vs ${players[1].name} failed: ${(error as Error).message}`,
        );
      }
    } finally {
      // Back to the lobby (an agent that forfeited or left is gone from it by now).
      for (const player of relays.values()) await player.dispose?.();
    }
  }
}
