/** Messages between the evaluation pool (main thread) and its worker threads. */
import type { EpisodeResult, EvalTask } from './task.ts';

export type PoolRequest = { type: 'run'; taskId: number; task: EvalTask } | { type: 'crash' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'episode'; taskId: number; result: EpisodeResult }
  | { type: 'done'; taskId: number }
  | { type: 'error'; taskId: number; message: string; code?: string };
