/**
 * Evaluation jobs: how a version's evaluation is queued, in which order waiting evaluations run,
 * and when an evaluation counts as ended. The HTTP layer and the seeding both use these.
 */

import { TASK_PRIORITY } from '../priorities.ts';
import type { JobQueue } from '../queue/jobQueue.ts';
import type { Storage } from '../storage/base.ts';
import type { EvalJobPayload } from './evaluator.ts';

/** Evaluation job priorities, on the pool's one scale (`server/priorities.ts`). */
export const EVAL_PRIORITY = {
  quickBaseline: TASK_PRIORITY.quickBaseline,
  submission: TASK_PRIORITY.submission,
  baseline: TASK_PRIORITY.baseline,
} as const;

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
