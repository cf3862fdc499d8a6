/**
 * An agent's training log (`training-log.jsonl`, written by `arena train`) as the API serves it:
 * each line checked against the schema of its kind, only what the dashboard charts kept, and
 * every series thinned to at most `maxPoints` points (the first and last always kept), so a
 * 16 MB log becomes a response of tens of kilobytes. Lines that are not JSON or fail their
 * schema are counted, not served: a log is the submitter's text.
 *
 *   {"type":"train","step":…,"charts/mean_return_100":…}   training return, mean of the last 100
 *   {"type":"episode","step":…,"charts/episodic_return":…} one training episode's return
 *   {"type":"eval","step":…,"eval/mean":…,"eval/ci95_low":…,"eval/ci95_high":…}
 *
 * An eval line with `"eval/best":true` beat every earlier one, and the run kept that agent as its
 * best (`<run>/best`); the last such line is served apart as `best`, so thinning never drops it.
 * Runs that keep a weight average (`--average-decay`) evaluate it beside the online network on
 * the same line (`eval/average/mean`, `eval/average/ci95_low`, ...): served as
 * `averageEvaluations`.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { LIMITS } from '../../agents/format/schema.ts';

const step = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const value = z.number();

const trainLine = z.looseObject({
  type: z.literal('train'),
  step,
  'charts/mean_return_100': value.nullable(),
  'charts/epsilon': value.optional(),
});
const episodeLine = z.looseObject({
  type: z.literal('episode'),
  step,
  'charts/episodic_return': value,
});
const evalLine = z.looseObject({
  type: z.literal('eval'),
  step,
  'eval/mean': value,
  'eval/ci95_low': value.nullable().optional(),
  'eval/ci95_high': value.nullable().optional(),
  'eval/episodes': z.number().int().min(0).optional(),
  'eval/best': z.boolean().optional(),
  'eval/average/mean': value.optional(),
  'eval/average/ci95_low': value.nullable().optional(),
  'eval/average/ci95_high': value.nullable().optional(),
  'eval/average/episodes': z.number().int().min(0).optional(),
});

export interface Evaluation {
  step: number;
  mean: number;
  ci95: [number, number] | null;
  episodes: number | null;
}

export interface TrainingLogView {
  /** Training return, mean of the last 100 episodes, by agent step. */
  train: { step: number; meanReturn: number; epsilon: number | null }[];
  /** Single training episodes' returns, by the step they ended at. */
  episodes: { step: number; return: number }[];
  /** Greedy evaluations during training: mean with its 95% interval. */
  evaluations: Evaluation[];
  /** The same evaluations of the run's weight average, where the run kept one (else empty). */
  averageEvaluations: Evaluation[];
  /** The evaluation of the agent the run kept as its best: the last eval line marked best. */
  best: { step: number; mean: number } | null;
  /** Lines read, and lines that were not JSON or failed their kind's schema. */
  lines: number;
  invalidLines: number;
  /** True when a series had more than `maxPoints` points and was thinned. */
  thinned: boolean;
}

/** Reads and checks a training log; null when the file does not exist. */
export async function readTrainingLog(
  file: string,
  opts: { maxPoints?: number } = {},
): Promise<TrainingLogView | null> {
  const maxPoints = opts.maxPoints ?? 1000;
  const train: TrainingLogView['train'] = [];
  const episodes: TrainingLogView['episodes'] = [];
  const evaluations: Evaluation[] = [];
  const averageEvaluations: Evaluation[] = [];
  let best: TrainingLogView['best'] = null;
  let lines = 0;
  let invalidLines = 0;
  // The format check caps the file at LIMITS.trainingLog; reading stops there regardless.
  const stream = createReadStream(file, { encoding: 'utf8', end: LIMITS.trainingLog - 1 });
  const opened = new Promise<boolean>((resolve, reject) => {
    stream.once('ready', () => resolve(true));
    stream.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' ? resolve(false) : reject(error),
    );
  });
  if (!(await opened)) return null;
  for await (const text of createInterface({
    input: stream,
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (text.trim() === '') continue;
    lines++;
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      invalidLines++;
      continue;
    }
    const kind = (entry as { type?: unknown } | null)?.type;
    if (kind === 'train') {
      const line = trainLine.safeParse(entry);
      if (!line.success) invalidLines++;
      else if (line.data['charts/mean_return_100'] !== null) {
        train.push({
          step: line.data.step,
          meanReturn: line.data['charts/mean_return_100'],
          epsilon: line.data['charts/epsilon'] ?? null,
        });
      }
    } else if (kind === 'episode') {
      const line = episodeLine.safeParse(entry);
      if (!line.success) invalidLines++;
      else episodes.push({ step: line.data.step, return: line.data['charts/episodic_return'] });
    } else if (kind === 'eval') {
      const line = evalLine.safeParse(entry);
      if (!line.success) invalidLines++;
      else {
        const d = line.data;
        const interval = (low: number | null | undefined, high: number | null | undefined) =>
          typeof low === 'number' && typeof high === 'number'
            ? ([low, high] as [number, number])
            : null;
        evaluations.push({
          step: d.step,
          mean: d['eval/mean'],
          ci95: interval(d['eval/ci95_low'], d['eval/ci95_high']),
          episodes: d['eval/episodes'] ?? null,
        });
        const averageMean = d['eval/average/mean'];
        if (averageMean !== undefined) {
          averageEvaluations.push({
            step: d.step,
            mean: averageMean,
            ci95: interval(d['eval/average/ci95_low'], d['eval/average/ci95_high']),
            episodes: d['eval/average/episodes'] ?? null,
          });
        }
        if (line.data['eval/best'] === true) {
          best = { step: line.data.step, mean: line.data['eval/mean'] };
        }
      }
    }
    // Other kinds (config, checkpoints) are valid lines that nothing charts.
  }
  const thinned = [train, episodes, evaluations, averageEvaluations].some(
    (s) => s.length > maxPoints,
  );
  return {
    train: thin(train, maxPoints),
    episodes: thin(episodes, maxPoints),
    evaluations: thin(evaluations, maxPoints),
    averageEvaluations: thin(averageEvaluations, maxPoints),
    best,
    lines,
    invalidLines,
    thinned,
  };
}

/** At most `max` items at evenly spaced indices, the first and the last included. */
export function thin<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  if (max <= 1) return items.slice(-1);
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(items[Math.round((k * (items.length - 1)) / (max - 1))]);
  return out;
}
