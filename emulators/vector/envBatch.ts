/**
 * Steps a contiguous range of envs and writes their results into a `VectorBuffers`. Both the
 * in-thread `SyncVectorEnv` and each worker thread use this one class, which is what makes the two
 * versions produce byte-identical results for the same seeds and actions.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Env, StepInfo } from '../core.ts';
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
