/**
 * Evaluation jobs: how a version's evaluation is queued, in which order waiting evaluations run,
 * and when an evaluation counts as ended. The HTTP layer and the seeding both use these.
 */
import type { JobQueue } from '../queue/jobQueue.ts';
import type { Storage } from '../storage/base.ts';
import type { EvalJobPayload } from './evaluator.ts';

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

/**
 * Whether a version's evaluation is over: all its episodes are recorded. Seeds and replays stay
 * hidden until then, so nobody learns the evaluation seeds while they can still matter.
 */
export function evaluationEnded(
  storage: Storage,
  episodesPerEvaluation: number,
  versionId: number,
): boolean {
  return storage.listEpisodes({ versionId, limit: 1000 }).length >= episodesPerEvaluation;
}
