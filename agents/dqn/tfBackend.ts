/**
 * The one place the DQN code gets TensorFlow.js from. It prefers the project's backend chooser
 * (`agents/backend/index.ts`, `initBackend`) and falls back to the plain `cpu` backend while that
 * module does not exist, so everything else imports `getTf` and never picks a backend itself.
 */
import * as tf from '@tensorflow/tfjs';

export type Tf = typeof tf;

export interface TfHandle {
  /** The backend in use, e.g. `cpu` or `fast-cpu`. */
  name: string;
  tf: Tf;
}

export interface TfOptions {
  backend?: 'tensorflow' | 'fast-cpu' | 'cpu';
  /** Do not print the backend chosen. */
  quiet?: boolean;
  /** Threads for the native math kernels (fast-cpu); default: all cores. */
  threads?: number;
}

interface BackendModule {
  initBackend(opts?: TfOptions): Promise<TfHandle>;
}

let cached: Promise<TfHandle> | undefined;

/** Initialises the backend once per process and returns it. */
export function getTf(options: TfOptions = {}): Promise<TfHandle> {
  cached ??= init(options);
  return cached;
}

async function init(options: TfOptions): Promise<TfHandle> {
  // A computed specifier so the type check does not require a module that may not exist yet.
  const chooser = '../backend/index.ts';
  let mod: BackendModule | undefined;
  try {
    mod = (await import(chooser)) as BackendModule;
  } catch (error) {
    if (!isModuleMissing(error)) throw error;
  }
  if (mod && typeof mod.initBackend === 'function') return mod.initBackend(options);
  await tf.setBackend('cpu');
  await tf.ready();
  if (!options.quiet) console.error(`tfjs backend: ${tf.getBackend()}`);
  return { name: tf.getBackend(), tf };
}

function isModuleMissing(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}
