/**
 * The evaluator's view of wherever episodes run: a task in, episodes out. `pool.ts` runs tasks on
 * worker threads; anything else (a remote runner, an in-thread runner for a test) can implement
 * the same contract.
 */
import type { EpisodeResult, EvalTask } from './task.ts';

export interface RunTaskOptions {
  task: EvalTask;
  /** Tasks are served round-robin across groups (one group per job), so jobs progress together. */
  group: string;
  /** Queued tasks of a higher priority start first (running tasks are never preempted). Default 0. */
  priority?: number;
  /** Called once per finished episode, in the order they finish. A throw fails the task. */
  onEpisode: (result: EpisodeResult) => void;
}

export interface EpisodeExecutor {
  /** Tasks that can run at once. */
  readonly size: number;
  /** Resolves once every episode was reported; rejects with the reason when the task failed. */
  run(opts: RunTaskOptions): Promise<void>;
  /** Tasks queued or running. */
  load(): number;
  /** Stops every worker; tasks still queued or running reject. */
  close(): Promise<void>;
}
