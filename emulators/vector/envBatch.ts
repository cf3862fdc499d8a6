/**
 * Steps a contiguous range of envs and writes their results into a `VectorBuffers`. Both the
 * in-thread `SyncVectorEnv` and each worker thread use this one class, which is what makes the two
 * versions produce byte-identical results for the same seeds and actions.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { Env, EnvState, StepInfo } from '../core.ts';
import { canSaveState, packBytes, parseLayerState, unpackBytes } from '../envState.ts';
import { UserError } from '../errors.ts';
import type { EnvFactory, EnvSpec, VectorBuffers } from './vectorEnv.ts';

/** Imports `spec.module` and returns its `createEnv`. */
export async function loadEnvFactory(spec: EnvSpec): Promise<EnvFactory> {
  const url = /^(file|data):/.test(spec.module)
    ? spec.module
    : pathToFileURL(isAbsolute(spec.module) ? spec.module : resolve(spec.module)).href;
  const mod = (await import(url)) as { createEnv?: unknown };
  if (typeof mod.createEnv !== 'function') {
    throw new Error(`env module ${spec.module} does not export a createEnv(options) function`);
  }
  return mod.createEnv as EnvFactory;
}

/** Builds `count` envs from `spec`, closing the ones already built if one fails. */
export async function createEnvs(spec: EnvSpec, count: number): Promise<Env[]> {
  const factory = await loadEnvFactory(spec);
  const envs: Env[] = [];
  try {
    for (let i = 0; i < count; i++) envs.push(await factory(spec.options));
  } catch (error) {
    for (const env of envs) env.close();
    throw error;
  }
  return envs;
}

export class EnvBatch {
  /** Running return and length of each env's current episode (float64: long episodes). */
  private readonly episodeReturns: Float64Array;
  private readonly episodeLengths: Int32Array;

  /**
   * @param envs the envs whose global indices are `first .. first + envs.length - 1`
   * @param buffers the whole vector's buffers; only this batch's entries are written
   */
  constructor(
    private readonly envs: readonly Env[],
    private readonly first: number,
    private readonly buffers: VectorBuffers,
    private readonly obsSize: number,
  ) {
    this.episodeReturns = new Float64Array(envs.length);
    this.episodeLengths = new Int32Array(envs.length);
  }

  /** Resets every env; env at global index i gets `seed + i` when a seed is given. */
  reset(seed: number | undefined): void {
    const r = this.buffers.result;
    for (let k = 0; k < this.envs.length; k++) {
      const i = this.first + k;
      const { observation, info } = this.envs[k].reset(
        seed === undefined ? undefined : { seed: seed + i },
      );
      this.writeState(i, observation, info);
      r.executedActions[i] = info.executedAction;
      r.rewards[i] = 0;
      r.terminated[i] = 0;
      r.truncated[i] = 0;
      r.finalReturns[i] = 0;
      r.finalScores[i] = 0;
      r.finalLengths[i] = 0;
      this.episodeReturns[k] = 0;
      this.episodeLengths[k] = 0;
    }
  }

  /** Steps every env with its slot in `buffers.actions`, resetting envs whose episode ended. */
  step(): void {
    const r = this.buffers.result;
    const actions = this.buffers.actions;
    for (let k = 0; k < this.envs.length; k++) {
      const i = this.first + k;
      const env = this.envs[k];
      const step = env.step(actions[i]);
      r.rewards[i] = step.reward;
      r.terminated[i] = step.terminated ? 1 : 0;
      r.truncated[i] = step.truncated ? 1 : 0;
      r.executedActions[i] = step.info.executedAction;
      this.episodeReturns[k] += step.reward;
      this.episodeLengths[k] += 1;
      if (step.terminated || step.truncated) {
        r.finalReturns[i] = this.episodeReturns[k];
        r.finalScores[i] = step.info.score;
        r.finalLengths[i] = this.episodeLengths[k];
        this.episodeReturns[k] = 0;
        this.episodeLengths[k] = 0;
        // Read the final step's info before resetting: an env may reuse its result objects.
        const next = env.reset();
        this.writeState(i, next.observation, next.info);
      } else {
        r.finalReturns[i] = 0;
        r.finalScores[i] = 0;
        r.finalLengths[i] = 0;
        this.writeState(i, step.observation, step.info);
      }
    }
  }

  close(): void {
    for (const env of this.envs) env.close();
  }

  /** Whether every env of the batch can save and restore its state. */
  get canSaveState(): boolean {
    return this.envs.every((env) => canSaveState(env));
  }

  /** Each env's state and the episode counters, this batch's envs only. */
  getState(): EnvBatchState {
    return {
      envs: this.envs.map((env) => {
        if (!env.getState) throw new UserError('an env of this vector cannot save its state');
        return env.getState();
      }),
      episodeReturns: Array.from(this.episodeReturns),
      episodeLengths: Array.from(this.episodeLengths),
    };
  }

  /**
   * Puts a `getState` result back. Transactional: if one env refuses its part, the envs already
   * restored are put back as they were and nothing else changes.
   */
  setState(state: unknown): void {
    const n = this.envs.length;
    if (!this.canSaveState) throw new UserError('an env of this vector cannot restore its state');
    const saved = parseLayerState(envBatchStateSchema(n), state, `batch of ${n} envs`);
    const before = this.getState();
    let restored = 0;
    try {
      for (; restored < n; restored++) this.envs[restored].setState?.(saved.envs[restored]);
    } catch (error) {
      for (let k = 0; k < restored; k++) this.envs[k].setState?.(before.envs[k]);
      throw error;
    }
    this.episodeReturns.set(saved.episodeReturns);
    this.episodeLengths.set(saved.episodeLengths);
  }

  private writeState(i: number, observation: Uint8Array, info: StepInfo): void {
    if (observation.length !== this.obsSize) {
      throw new Error(
        `env ${i} returned an observation of ${observation.length} bytes, expected ${this.obsSize}`,
      );
    }
    const r = this.buffers.result;
    r.observations.set(observation, i * this.obsSize);
    r.scores[i] = info.score;
    r.lives[i] = info.lives;
    r.episodeFrames[i] = info.episodeFrame;
  }
}

/** The state of a run of envs (one worker's share, or all of a vector's envs). */
export interface EnvBatchState {
  envs: EnvState[];
  /** Running return and length of each env's current episode. */
  episodeReturns: number[];
  episodeLengths: number[];
}

export function envBatchStateSchema(n: number) {
  return z
    .object({
      envs: z.array(z.unknown()).length(n),
      episodeReturns: z.array(z.number()).length(n),
      episodeLengths: z.array(z.number().int().min(0)).length(n),
    })
    .strict();
}

/**
 * A whole vector env's state (both versions write the same, so either can restore it). `results`
 * is the result views' buffer (packed bytes): after `setState` the views read as they did at
 * `getState`, observations included.
 */
export interface VectorEnvState extends EnvBatchState {
  format: 'vector-env-state';
  version: 1;
  numEnvs: number;
  results: string;
}

export function vectorEnvState(buffers: VectorBuffers, batch: EnvBatchState): VectorEnvState {
  return {
    format: 'vector-env-state',
    version: 1,
    numEnvs: batch.envs.length,
    // A copy first: the buffer may be shared with worker threads.
    results: packBytes(new Uint8Array(buffers.buffer).slice()),
    ...batch,
  };
}

/** Checks a saved vector state against this vector's size; returns it with its results unpacked. */
export function parseVectorEnvState(
  state: unknown,
  numEnvs: number,
  bufferBytes: number,
): { batch: EnvBatchState; results: Uint8Array } {
  const schema = envBatchStateSchema(numEnvs).extend({
    format: z.literal('vector-env-state'),
    version: z.literal(1),
    numEnvs: z.literal(numEnvs),
    results: z.string(),
  });
  const {
    format: _f,
    version: _v,
    numEnvs: _n,
    results,
    ...batch
  } = parseLayerState(schema, state, `vector of ${numEnvs} envs`);
  return { batch, results: unpackBytes(results, bufferBytes, 'vector env results') };
}

/** Splits a vector's batch state into the part of envs first .. first + count - 1. */
export function sliceBatchState(state: EnvBatchState, first: number, count: number): EnvBatchState {
  const end = first + count;
  return {
    envs: state.envs.slice(first, end),
    episodeReturns: state.episodeReturns.slice(first, end),
    episodeLengths: state.episodeLengths.slice(first, end),
  };
}
