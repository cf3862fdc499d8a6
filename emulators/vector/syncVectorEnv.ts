/**
 * N envs stepped one after another in the calling thread, after Gymnasium's `SyncVectorEnv`. The
 * reference implementation: tests, debugging and single-core machines.
 */
import type { BoxSpace, DiscreteSpace, Env } from '../core.ts';
import { createEnvs, EnvBatch } from './envBatch.ts';
import {
  assertSameSpaces,
  createVectorBuffers,
  type EnvSpec,
  observationSize,
  type VectorBuffers,
  type VectorEnv,
  type VectorResetOptions,
  type VectorStepResult,
} from './vectorEnv.ts';

export class SyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly obsSize: number;
  private readonly buffers: VectorBuffers;
  private readonly batch: EnvBatch;
  private closed = false;

  /** Builds `numEnvs` envs from a serialisable spec (the same spec the worker version takes). */
  static async fromSpec(spec: EnvSpec, numEnvs: number): Promise<SyncVectorEnv> {
    checkNumEnvs(numEnvs);
    return new SyncVectorEnv(await createEnvs(spec, numEnvs));
  }

  /** Takes ownership of `envs`: `close()` closes them. */
  constructor(envs: readonly Env[]) {
    checkNumEnvs(envs.length);
    this.numEnvs = envs.length;
    this.observationSpace = envs[0].observationSpace;
    this.actionSpace = envs[0].actionSpace;
    for (let i = 1; i < envs.length; i++) assertSameSpaces(envs[0], envs[i], `env ${i}`);
    this.obsSize = observationSize(this.observationSpace);
    this.buffers = createVectorBuffers(this.numEnvs, this.obsSize);
    this.batch = new EnvBatch(envs, 0, this.buffers, this.obsSize);
  }

  reset(options: VectorResetOptions = {}): VectorStepResult {
    this.checkOpen();
    checkSeed(options.seed);
    this.batch.reset(options.seed);
    return this.buffers.result;
  }

  step(actions: Int32Array): VectorStepResult {
    this.checkOpen();
    checkActions(actions, this.numEnvs);
    this.buffers.actions.set(actions);
    this.batch.step();
    return this.buffers.result;
  }

  async stepAsync(actions: Int32Array): Promise<VectorStepResult> {
    return this.step(actions);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.batch.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('SyncVectorEnv is closed');
  }
}

export function checkNumEnvs(numEnvs: number): void {
  if (!Number.isInteger(numEnvs) || numEnvs < 1) {
    throw new Error(`numEnvs must be a positive integer, got ${numEnvs}`);
  }
}

/** Seeds travel to workers as int32; the in-thread version takes the same range to match. */
export function checkSeed(seed: number | undefined): void {
  if (seed !== undefined && (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 31)) {
    throw new Error(`reset seed must be a 32-bit integer, got ${seed}`);
  }
}

export function checkActions(actions: Int32Array, numEnvs: number): void {
  if (!(actions instanceof Int32Array) || actions.length !== numEnvs) {
    throw new Error(`step expects an Int32Array of ${numEnvs} actions, got ${describe(actions)}`);
  }
}

function describe(value: unknown): string {
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as Int32Array).length})`;
  return typeof value;
}
