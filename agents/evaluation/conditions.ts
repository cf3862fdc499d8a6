/**
 * The arena's evaluation conditions and seed lists: the one definition that `arena eval`,
 * training's periodic evaluations, the server's evaluation workers, matches and remote episodes
 * all read. The rules follow Machado et al. 2018: up to 30 no-op starts, sticky actions with
 * probability 0.25 per emulator frame, a 108,000-frame cap (30 minutes of play), no terminal on
 * life loss, and epsilon 0.05 on top of the greedy policy of model (DQN) agents.
 *
 * Two kinds of seed list exist, for two purposes. The public lists (`evalSeeds`) are fixed, so
 * anyone can reproduce `arena eval` and training's validation scores. The leaderboard's seeds
 * (`episodeSeed`) come from a server-side secret and stay hidden until a version's evaluation
 * ends, so nobody can tune an agent to them.
 */
import { createHmac } from 'node:crypto';
import { deriveSeed } from '../../emulators/rng.ts';

export interface EvalConditions {
  /** Episodes per agent version. */
  episodes: number;
  /** Probability, per emulator frame, that the previous frame's controller state repeats. */
  stickyActionProbability: number;
  /** Upper bound of the random number of no-op agent steps after each reset. */
  noopMax: number;
  /** Emulator frames after which an episode is truncated. */
  maxEpisodeFrames: number;
  /** Exploration rate applied to model agents' greedy actions (builtin agents play as they are). */
  modelEpsilon: number;
}

export const ARENA_CONDITIONS: Readonly<EvalConditions> = Object.freeze({
  episodes: 30,
  stickyActionProbability: 0.25,
  noopMax: 30,
  maxEpisodeFrames: 108_000,
  modelEpsilon: 0.05,
});

/** What an evaluation environment is built with (the ALE wrappers' settings). */
export interface EnvConditions {
  stickyActionProbability: number;
  noopMax: number;
  maxEpisodeFrames: number;
  /** Always false in the arena: an episode is the whole game. Training may choose otherwise. */
  terminalOnLifeLoss: boolean;
}

/** The environment settings of a set of evaluation conditions. */
export function envConditions(conditions: Readonly<EvalConditions>): EnvConditions {
  return {
    stickyActionProbability: conditions.stickyActionProbability,
    noopMax: conditions.noopMax,
    maxEpisodeFrames: conditions.maxEpisodeFrames,
    terminalOnLifeLoss: false,
  };
}

/**
 * Bases of the public seed lists: episode i of a list is seeded `deriveSeed(base, i) >>> 1`.
 * `test` is what `arena eval` scores on. `validation` is what training's periodic evaluations
 * play: choosing an agent (a run's best) on it leaves the test list unseen, so the score reported
 * for the chosen agent is not inflated by the choice.
 */
export const SEED_LIST_BASES = { test: 20_240_601, validation: 19_700_101 } as const;

/** Which public seed list: `test` (the arena's scores) or `validation` (choosing agents). */
export type SeedList = keyof typeof SEED_LIST_BASES;

/** The first `count` seeds of a public list (non-negative int32s). */
export function evalSeeds(count: number, list: SeedList = 'test'): number[] {
  const base = SEED_LIST_BASES[list];
  return Array.from({ length: count }, (_, i) => deriveSeed(base, i) >>> 1);
}

/**
 * Leaderboard seed of episode `index` of version `versionId`: the first 31 bits of
 * HMAC-SHA256(secret, "episode:<versionId>:<index>"). Different per version and unpredictable
 * without the secret; 31 bits so the seed is a non-negative int everywhere (CLI, JSON, SQLite).
 */
export function episodeSeed(secret: Uint8Array, versionId: number, index: number): number {
  const digest = createHmac('sha256', secret).update(`episode:${versionId}:${index}`).digest();
  return digest.readUInt32BE(0) >>> 1;
}

export function episodeSeeds(secret: Uint8Array, versionId: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => episodeSeed(secret, versionId, i));
}
