/**
 * The vector environment contract, after Gymnasium's `vector/vector_env.py`: N copies of one
 * environment stepped together, with batched results.
 *
 * Hot-path contract: `reset` and `step` return the same result object every time, and its fields
 * are views into one buffer that the next call overwrites. Nothing is allocated per step. Copy a
 * field (`result.observations.slice()`) to keep it.
 *
 * Autoreset: when env i's episode ends on a step, env i is reset on that same step (Gymnasium's
 * "same-step" autoreset). The final observation of the finished episode is dropped:
 * `observations`, `scores`, `lives` and `episodeFrames` for env i then describe the new episode's
 * first state, while `rewards`, `terminated`, `truncated` and `executedActions` describe the step
 * that ended the old one. The finished episode's return, score and length are kept in
 * `finalReturns`, `finalScores` and `finalLengths`.
 */
import type { BoxSpace, DiscreteSpace, Env } from '../core.ts';

/**
 * A serialisable recipe for an environment, so that worker threads can build their own copies.
 * `module` must export `createEnv(options)` returning an `Env` (or a promise of one).
 */
export interface EnvSpec {
  /** Absolute `file:` URL or filesystem path (relative paths resolve against the cwd). */
  module: string;
  /** Passed to `createEnv` as is; must survive structured cloning (plain JSON is safe). */
  options?: unknown;
}

/** What an env module exports. */
export type EnvFactory = (options: unknown) => Env | Promise<Env>;

export interface VectorResetOptions {
  /** Env i is reset with seed `seed + i`; without it, each env continues its own generator. */
  seed?: number;
}

/**
 * Batched results, one entry per env (observations: `numEnvs` blocks of `obsSize` bytes, env i at
 * byte `i * obsSize`). After `reset`, rewards and the done flags are 0.
 */
export interface VectorStepResult {
  observations: Uint8Array;
  /** The step's reward (the env's own, unclipped). */
  rewards: Float32Array;
  /** 1 where the episode ended inside the game on this step. */
  terminated: Uint8Array;
  /** 1 where the episode was cut short from outside (frame cap) on this step. */
  truncated: Uint8Array;
  /** `info.score` of the state in `observations`. */
  scores: Float64Array;
  /** `info.lives` of the state in `observations`. */
  lives: Int32Array;
  /** `info.episodeFrame` of the state in `observations`. */
  episodeFrames: Int32Array;
  /** `info.executedAction` of this step (after sticky actions); after a reset, that of the reset. */
  executedActions: Int32Array;
  /** Sum of the finished episode's rewards; valid where terminated or truncated, else 0. */
  finalReturns: Float64Array;
  /** `info.score` on the finished episode's last step; valid where done, else 0. */
  finalScores: Float64Array;
  /** Agent steps in the finished episode; valid where done, else 0. */
  finalLengths: Int32Array;
}

export interface VectorEnv {
  readonly numEnvs: number;
  /** One env's observation space; `observations` holds `numEnvs` of them back to back. */
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  /** Bytes in one env's observation. */
  readonly obsSize: number;
  reset(options?: VectorResetOptions): VectorStepResult;
  /** `actions[i]` goes to env i; `actions.length` must equal `numEnvs`. */
  step(actions: Int32Array): VectorStepResult;
  /** `step` that yields to the event loop while the envs run (same result object). */
  stepAsync(actions: Int32Array): Promise<VectorStepResult>;
  /** Closes every env and, for the worker version, ends every worker thread. Idempotent. */
  close(): Promise<void>;
}

/** A `VectorStepResult` plus the action slots, all views over one buffer. */
export interface VectorBuffers {
  buffer: ArrayBuffer | SharedArrayBuffer;
  result: VectorStepResult;
  actions: Int32Array;
}

type FieldKind = 'f64' | 'i32' | 'f32' | 'u8';
// Widest element first keeps every view aligned without padding tricks; the buffer layout is the
// same on both sides of a thread boundary because both sides call `vectorBufferLayout`.
const FIELDS: ReadonlyArray<readonly [keyof VectorStepResult | 'actions', FieldKind]> = [
  ['scores', 'f64'],
  ['finalReturns', 'f64'],
  ['finalScores', 'f64'],
  ['lives', 'i32'],
  ['episodeFrames', 'i32'],
  ['executedActions', 'i32'],
  ['finalLengths', 'i32'],
  ['actions', 'i32'],
  ['rewards', 'f32'],
  ['terminated', 'u8'],
  ['truncated', 'u8'],
];
const BYTES: Record<FieldKind, number> = { f64: 8, i32: 4, f32: 4, u8: 1 };

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Total bytes of the buffer for `numEnvs` envs of `obsSize`-byte observations. */
export function vectorBufferBytes(numEnvs: number, obsSize: number): number {
  let bytes = 0;
  for (const [, kind] of FIELDS) bytes = align8(bytes + numEnvs * BYTES[kind]);
  return bytes + numEnvs * obsSize;
}

/** Creates the views over `buffer` (or over a new one; shared when `shared` is set). */
export function createVectorBuffers(
  numEnvs: number,
  obsSize: number,
  options: { shared?: boolean; buffer?: ArrayBuffer | SharedArrayBuffer } = {},
): VectorBuffers {
  const bytes = vectorBufferBytes(numEnvs, obsSize);
  const buffer =
    options.buffer ?? (options.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  if (buffer.byteLength !== bytes) {
    throw new Error(`vector buffer is ${buffer.byteLength} bytes, expected ${bytes}`);
  }
  const views: Record<string, ArrayBufferView> = {};
  let offset = 0;
  for (const [name, kind] of FIELDS) {
    if (kind === 'f64') views[name] = new Float64Array(buffer, offset, numEnvs);
    else if (kind === 'i32') views[name] = new Int32Array(buffer, offset, numEnvs);
    else if (kind === 'f32') views[name] = new Float32Array(buffer, offset, numEnvs);
    else views[name] = new Uint8Array(buffer, offset, numEnvs);
    offset = align8(offset + numEnvs * BYTES[kind]);
  }
  const result = {
    ...views,
    observations: new Uint8Array(buffer, offset, numEnvs * obsSize),
  } as unknown as VectorStepResult & { actions: Int32Array };
  const { actions, ...rest } = result;
  return { buffer, result: rest, actions };
}

/** Bytes in one observation of `space`. */
export function observationSize(space: BoxSpace): number {
  return space.shape.reduce((a, b) => a * b, 1);
}

/** Throws unless `a` and `b` describe the same spaces (every env of a vector must agree). */
export function assertSameSpaces(
  a: { observationSpace: BoxSpace; actionSpace: DiscreteSpace },
  b: { observationSpace: BoxSpace; actionSpace: DiscreteSpace },
  what: string,
): void {
  const same =
    a.observationSpace.shape.join('x') === b.observationSpace.shape.join('x') &&
    a.actionSpace.n === b.actionSpace.n;
  if (!same) {
    throw new Error(
      `${what} has observation shape [${b.observationSpace.shape}] and ${b.actionSpace.n} actions; ` +
        `expected [${a.observationSpace.shape}] and ${a.actionSpace.n}`,
    );
  }
}
