/**
 * Vector environments: N copies of one env stepped together. `makeVectorEnv` picks the in-thread
 * or the worker-thread version from one serialisable spec.
 */
import { SyncVectorEnv } from './syncVectorEnv.ts';
import type { EnvSpec, VectorEnv } from './vectorEnv.ts';
import { WorkerVectorEnv, type WorkerVectorEnvOptions } from './workerVectorEnv.ts';

export { EnvBatch, loadEnvFactory } from './envBatch.ts';
export { SyncVectorEnv } from './syncVectorEnv.ts';
export type {
  EnvFactory,
  EnvSpec,
  VectorEnv,
  VectorResetOptions,
  VectorStepResult,
} from './vectorEnv.ts';
export { WorkerVectorEnv, type WorkerVectorEnvOptions } from './workerVectorEnv.ts';

export interface MakeVectorEnvOptions extends EnvSpec, WorkerVectorEnvOptions {
  numEnvs: number;
  /** 'sync': all envs in this thread; 'workers': spread over worker threads (default). */
  mode?: 'sync' | 'workers';
}

/** Builds `numEnvs` envs from `module`'s `createEnv(options)`. Call `close()` when done. */
export async function makeVectorEnv(options: MakeVectorEnvOptions): Promise<VectorEnv> {
  const { module, options: envOptions, numEnvs, mode = 'workers', ...workerOptions } = options;
  const spec: EnvSpec = { module, options: envOptions };
  if (mode === 'sync') return SyncVectorEnv.fromSpec(spec, numEnvs);
  if (mode !== 'workers') throw new Error(`mode must be 'sync' or 'workers', got '${mode}'`);
  return WorkerVectorEnv.create(spec, numEnvs, workerOptions);
}
