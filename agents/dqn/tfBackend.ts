/**
 * The one place the DQN code gets TensorFlow.js from: the project's backend chooser
 * (`agents/backend/index.ts`, `initBackend`) runs once per process, and everything else imports
 * `getTf` and never picks a backend itself.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendChoice } from '../backend/index.ts';

export type Tf = typeof tf;

export interface TfHandle {
  /** The backend in use, e.g. `cpu` or `fast-cpu`. */
  name: string;
  tf: Tf;
}

export interface TfOptions {
  backend?: BackendChoice;
  /** Do not print the backend chosen. */
  quiet?: boolean;
  /** Threads for the native math kernels (fast-cpu); default: all cores. */
  threads?: number;
}

let cached: Promise<TfHandle> | undefined;

/** Initialises the backend once per process and returns it; later options are ignored. */
export function getTf(options: TfOptions = {}): Promise<TfHandle> {
  // Imported on first use: the chooser loads the native addon and registers kernels, which a
  // process that imports this module but never runs a network should not pay for.
  cached ??= import('../backend/index.ts').then(({ initBackend }) => initBackend(options));
  return cached;
}
