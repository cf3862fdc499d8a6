/**
 * What an evaluation worker is asked to do and what it reports, as plain structured-cloneable
 * data: the contract between the evaluator (main thread) and the worker threads.
 */
import type { EvalConditions } from '../../agents/evaluation/conditions.ts';

/** The agent to run. Builtin agents are built next to the env (the scripted ones read its RAM). */
export type AgentSpec =
  | { kind: 'builtin'; name: string }
  /** A checked agent folder (model.json + weights + agent.json), absolute path. */
  | { kind: 'model'; dir: string };

export interface EpisodeSpec {
  /** Index of the episode within its version's evaluation (0..episodes-1). */
  index: number;
  seed: number;
}

export interface EvalTask {
  game: string;
  gameSettings?: Record<string, string>;
  conditions: EvalConditions;
  agent: AgentSpec;
  /** Played side by side; a model agent gets one batched forward pass per step over them. */
  episodes: EpisodeSpec[];
}

export interface EpisodeResult {
  index: number;
  seed: number;
  /** Sum of the game's rewards over every emulator frame since the reset (unclipped). */
  score: number;
  /** Emulator frames since the reset, i.e. `actions.length`. */
  frames: number;
  /** Cut short by the frame cap rather than ended by the game. */
  truncated: boolean;
  romSha1: string;
  /** The game seed the machine was reset with (needed to replay; see `replay.ts`). */
  gameSeed: number;
  /** One controller byte per emulator frame. */
  actions: Uint8Array;
}
