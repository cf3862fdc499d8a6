/**
 * What the main thread and the vector workers share: the layout of the control words, the command
 * codes, and the few messages exchanged at start-up (stepping itself sends no messages).
 *
 * Stepping handshake, on one shared Int32Array `control`:
 *   main:   write actions; CMD = command; PENDING = number of workers; SEQ += 1; notify(SEQ)
 *   worker: wait(SEQ) until it changes; run CMD on its envs; write results;
 *           if (PENDING -= 1) reached 0, notify(PENDING)
 *   main:   wait(PENDING) until 0, checking each worker's STATUS word between waits
 * Atomics operations are sequentially consistent, so the worker's plain writes to the result
 * buffer are visible to the main thread once it reads PENDING = 0.
 *
 * Saving and restoring env states (rare: checkpoints) use the same handshake, with the states
 * carried as messages on each worker's state port, read synchronously on the other side with
 * `receiveMessageOnPort` (a posted message is queued at once, so it is there when the reader
 * acts on the command):
 *   GET_STATE: the worker posts its envs' `EnvBatchState` on its state port, then answers;
 *   SET_STATE: the main thread posts each worker its share first, then issues the command.
 */
import type { MessagePort } from 'node:worker_threads';
import type { BoxSpace, DiscreteSpace } from '../core.ts';
import { UserError } from '../errors.ts';
import type { EnvSpec } from './vectorEnv.ts';

export const SEQ = 0;
export const CMD = 1;
export const PENDING = 2;
export const SEED = 3;
export const HAS_SEED = 4;
const WORKER_BASE = 8;

/** Index of worker w's status word (one of `Status`). */
export function statusIndex(w: number): number {
  return WORKER_BASE + 2 * w;
}
/** Index of worker w's exit code word (valid once its status is `Status.DEAD`). */
export function exitCodeIndex(w: number): number {
  return WORKER_BASE + 2 * w + 1;
}
export function controlLength(workers: number): number {
  return WORKER_BASE + 2 * workers;
}

export const Command = { RESET: 1, STEP: 2, CLOSE: 3, GET_STATE: 4, SET_STATE: 5 } as const;

export const Status = {
  OK: 0,
  /** The last command threw; the error is waiting on the worker's error port. */
  ERROR: 1,
  /** The thread ended without being asked to (process.exit, crash). */
  DEAD: 2,
  CLOSED: 3,
} as const;

export interface WorkerInit {
  spec: EnvSpec;
  workerIndex: number;
  /** Global index of the worker's first env. */
  first: number;
  count: number;
  /** Errors during stepping go here, so the blocked main thread can read them synchronously. */
  errorPort: MessagePort;
  /** Env states travel here, both ways (GET_STATE, SET_STATE). */
  statePort: MessagePort;
  /** Niceness the worker gives its own thread before building its envs (0: left as it is). */
  nice: number;
}

/** Sent by a worker once its envs exist, or when building them failed. */
export type WorkerReport =
  | {
      type: 'ready';
      observationSpace: BoxSpace;
      actionSpace: DiscreteSpace;
      /** Whether every env of the worker can save and restore its state. */
      resumable: boolean;
      /** The worker thread's niceness, or null where it could not be read or set. */
      nice: number | null;
    }
  | ({ type: 'failed' } & ErrorDetail);

/** Sent by the main thread once it has allocated the shared buffers. */
export interface AttachMessage {
  type: 'attach';
  numEnvs: number;
  buffer: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/** An error as it crosses the thread boundary; `code` is set for a `UserError`. */
export interface ErrorDetail {
  message: string;
  stack?: string;
  code?: string;
}

/** Posted on the error port when a command throws. */
export interface CommandError extends ErrorDetail {
  command: number;
}

export function errorDetail(error: unknown): ErrorDetail {
  if (error instanceof UserError)
    return { message: error.message, stack: error.stack, code: error.code };
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  return { message: String(error) };
}

/**
 * Rebuilds a worker's error in this thread with `prefix` (which worker, which envs) in front. A
 * `UserError` stays one, so the CLI still prints it as a plain message and the server as a 4xx.
 */
export function errorFromDetail(prefix: string, detail: ErrorDetail | undefined): Error {
  const message = `${prefix}: ${detail?.message ?? 'unknown error'}`;
  const error =
    detail?.code !== undefined ? new UserError(message, detail.code) : new Error(message);
  if (detail?.stack) error.cause = detail.stack;
  return error;
}

/** Splits `numEnvs` into `workers` contiguous ranges whose sizes differ by at most one. */
export function splitEnvs(numEnvs: number, workers: number): { first: number; count: number }[] {
  const base = Math.floor(numEnvs / workers);
  const extra = numEnvs % workers;
  const ranges: { first: number; count: number }[] = [];
  let first = 0;
  for (let w = 0; w < workers; w++) {
    const count = base + (w < extra ? 1 : 0);
    ranges.push({ first, count });
    first += count;
  }
  return ranges;
}
