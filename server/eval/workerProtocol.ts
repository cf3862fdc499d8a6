/** Messages between the evaluation pool (main thread) and its worker threads. */
import type { MatchLegResult, MatchTask } from '../matches/task.ts';
import type { EpisodeResult, EvalTask } from './task.ts';

export type PoolRequest =
  | { type: 'run'; taskId: number; task: EvalTask }
  | { type: 'match'; taskId: number; task: MatchTask }
  | { type: 'crash' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'episode'; taskId: number; result: EpisodeResult }
  | { type: 'leg'; taskId: number; result: MatchLegResult }
  | { type: 'done'; taskId: number }
  | { type: 'error'; taskId: number; message: string; code?: string };
