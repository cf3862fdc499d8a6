/** What the API handlers depend on: interfaces and plain values, never a database handle. */
import type { ServerConfig } from '../config.ts';
import type { EvalJobPayload } from '../eval/evaluator.ts';
import type { ArenaEvents } from '../events/index.ts';
import type { JobQueue } from '../queue/jobQueue.ts';
import type { Storage } from '../storage/base.ts';

export interface ApiContext {
  storage: Storage;
  queue: JobQueue<EvalJobPayload>;
  config: ServerConfig;
  /** Where the API reports changes others react to (a deleted version leaves its leaderboard). */
  events?: ArenaEvents;
  /** Evaluation workers, for the health report. */
  workers: number;
  /** Plays recorded matches back in live rooms (set once the live stream runs). */
  matchReplays?: { watch(matchId: number, speed: 1 | 2 | 4): { roomId: string } };
  log: (line: string) => void;
}
