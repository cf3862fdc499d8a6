/** Messages between the evaluation pool (main thread) and its worker threads. */

import type { MessagePort } from 'node:worker_threads';
import type { LiveTaskOptions } from '../eval/executor.ts';
import type { EpisodeResult, EvalTask } from '../eval/task.ts';
import type { MatchLegResult, MatchTask } from '../matches/task.ts';
import type { RoomOptions } from '../stream/streamHub.ts';

export type PoolRequest =
  | { type: 'run'; taskId: number; task: EvalTask; live?: LiveTaskOptions }
  /** `relays`: a port per `relay` player of the task (transferred; see `matches/relay.ts`). */
  | {
      type: 'match';
      taskId: number;
      task: MatchTask;
      relays: { index: number; port: MessagePort }[];
    }
  | { type: 'crash' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'episode'; taskId: number; result: EpisodeResult }
  | { type: 'leg'; taskId: number; result: MatchLegResult }
  /** A live room the task opened; its frames come through `port` (transferred). */
  | { type: 'liveRoom'; taskId: number; room: RoomOptions; port: MessagePort }
  | { type: 'done'; taskId: number }
  | { type: 'error'; taskId: number; message: string; code?: string };
