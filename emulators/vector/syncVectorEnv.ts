/**
 * N envs stepped one after another in the calling thread, after Gymnasium's `SyncVectorEnv`. The
 * reference implementation: tests, debugging and single-core machines.
 */
import type { BoxSpace, DiscreteSpace, Env } from '../core.ts';
import { UserError } from '../errors.ts';
import {
  createEnvs,
  EnvBatch,
  parseVectorEnvState,
  type VectorEnvState,
  vectorEnvState,
} from './envBatch.ts';
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
  /** Whether `getState`/`setState` work: every env can save and restore its state. */
  readonly resumable: boolean;
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
    this.resumable = this.batch.canSaveState;
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

  /**
   * Every env's state, the episode counters and the result views (see `VectorEnvState`), or
   * undefined when an env cannot save its state (`resumable` is false).
   */
  getState(): VectorEnvState | undefined {
    this.checkOpen();
    if (!this.resumable) return undefined;
    return vectorEnvState(this.buffers, this.batch.getState());
  }

  /** Puts back a `getState` result (of this class or of `WorkerVectorEnv` with as many envs). */
  setState(state: unknown): void {
    this.checkOpen();
    if (!this.resumable) {
      throw new UserError('this vector env cannot restore its state', 'ENV_NOT_RESUMABLE');
    }
    const bytes = this.buffers.buffer.byteLength;
    const { batch, results } = parseVectorEnvState(state, this.numEnvs, bytes);
    this.batch.setState(batch);
    new Uint8Array(this.buffers.buffer).set(results);
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
