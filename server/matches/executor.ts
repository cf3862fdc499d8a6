/**
 * The match scheduler's view of wherever matches run: a pairing in, legs out. The evaluation
 * `WorkerPool` implements it, so matches and evaluations share the worker threads (matches at a
 * lower priority) and never run on the HTTP thread.
 */
import type { MatchPlayer } from './player.ts';
import type { MatchLegResult, MatchTask } from './task.ts';

export interface RunMatchOptions {
  task: MatchTask;
  /** Queued tasks are served round-robin across groups. Default 'matches'. */
  group?: string;
  /** Queued tasks of a higher priority start first; evaluations use 0 and up. */
  priority?: number;
  /** Called once per finished leg. A throw fails the task. */
  onLeg: (result: MatchLegResult) => void;
  /**
   * Players that stay in this thread (remote agents), by index into `task.players`, whose specs
   * are `relay`: the match runs where matches run and calls them across (`relay.ts`).
   */
  relays?: ReadonlyMap<number, MatchPlayer>;
}

export interface MatchExecutor {
  /** Tasks that can run at once. */
  readonly size: number;
  /** Resolves once every leg was reported; rejects with the reason when the task failed. */
  runMatch(opts: RunMatchOptions): Promise<void>;
  /** Tasks queued or running (of any kind). */
  load(): number;
}
