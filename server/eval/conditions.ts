/**
 * The arena's evaluation rules, the same for every agent of a game (Machado et al. 2018): up to 30
 * no-op starts, sticky actions with probability 0.25, a 108,000-frame cap, no terminal on life
 * loss, and epsilon 0.05 on top of the greedy policy of model (DQN) agents. Episode seeds come
 * from a server-side secret so nobody can tune an agent to the evaluation seeds before its
 * evaluation ends.
 */
import { createHmac } from 'node:crypto';

export interface EvalConditions {
  /** Episodes per agent version. */
  episodes: number;
  stickyActionProbability: number;
  noopMax: number;
  /** Emulator frames after which an episode is truncated. */
  maxEpisodeFrames: number;
  /** Exploration rate applied to model agents' greedy actions. */
  modelEpsilon: number;
}

export const DEFAULT_CONDITIONS: Readonly<EvalConditions> = Object.freeze({
  episodes: 30,
  stickyActionProbability: 0.25,
  noopMax: 30,
  maxEpisodeFrames: 108_000,
  modelEpsilon: 0.05,
});

/**
 * Seed of episode `index` of version `versionId`: the first 31 bits of
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
