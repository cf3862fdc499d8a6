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

/**
 * Whether a version's evaluation is over: all its episodes are recorded. Seeds and replays stay
 * hidden until then, so nobody learns the evaluation seeds while they can still matter.
 */
export function evaluationEnded(ctx: ApiContext, versionId: number): boolean {
  return (
    ctx.storage.listEpisodes({ versionId, limit: 1000 }).length >= ctx.config.conditions.episodes
  );
}

/**
 * Job priorities: the seeded random agents' short episodes first, so a fresh server shows a
 * leaderboard quickly; then submissions; then the seeded long-running baselines. Priorities only
 * order waiting work: the rules of play are the same for every agent.
 */
export const EVAL_PRIORITY = { quickBaseline: 2, submission: 1, baseline: 0 } as const;

/** Enqueues a version's evaluation (deduplicated while one is queued or running). */
export function enqueueEvaluation(
  queue: JobQueue<EvalJobPayload>,
  versionId: number,
  priority: number = EVAL_PRIORITY.submission,
) {
  return queue.enqueue({
    payload: { versionId },
    dedupeKey: `version:${versionId}`,
    maxAttempts: 3,
    priority,
  });
}
