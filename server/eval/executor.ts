/**
 * The evaluator's view of wherever episodes run: a task in, episodes out. `pool.ts` runs tasks on
 * worker threads; anything else (a remote runner, an in-thread runner for a test) can implement
 * the same contract.
 */

import type { ClosablePort } from '../stream/portSink.ts';
import type { RoomOptions } from '../stream/streamHub.ts';
import type { EpisodeResult, EvalTask } from './task.ts';

/** How a task's running episode is shown to spectators (see `spectate.ts`). */
export interface LiveTaskOptions {
  /** Room ids are `<roomPrefix>-<episode index>`; unique among running rooms. */
  roomPrefix: string;
  /** Most frames a second sent to viewers. */
  maxFps: number;
  /** The rooms' description, but for the id and the per-episode note. */
  room: Omit<RoomOptions, 'roomId' | 'note' | 'startedAt'>;
  /** Episodes in the whole evaluation, for the note (`episode 4 of 30`). */
  episodes: number;
}

/** A room a task opened: its description and the port its frames come through (a `PortSink`). */
export type LiveRoomHandler = (room: RoomOptions, port: ClosablePort) => void;

export interface RunTaskOptions {
  task: EvalTask;
  /** Tasks are served round-robin across groups (one group per job), so jobs progress together. */
  group: string;
  /** Queued tasks of a higher priority start first (running tasks are never preempted). Default 0. */
  priority?: number;
  /** Called once per finished episode, in the order they finish. A throw fails the task. */
  onEpisode: (result: EpisodeResult) => void;
  /** Stream the task's running episode to spectators; `onRoom` hosts each room it opens. */
  live?: { options: LiveTaskOptions; onRoom: LiveRoomHandler };
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
