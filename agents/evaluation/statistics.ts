/**
 * The arena's statistics of episode scores, the one definition every caller uses: `arena eval`,
 * training's evaluations, the leaderboards (from running moments kept in SQLite) and the
 * baselines. Mean, sample standard deviation, the two-sided 95% Student t interval of the mean,
 * median, extremes, and the score normalised between the random and scripted baselines.
 */
import { studentTQuantile } from './studentT.ts';

/** Descriptive statistics of a set of episode scores. */
export interface Summary {
  /** Number of scores. */
  n: number;
  mean: number;
  median: number;
  min: number;
  max: number;
  /** Sample standard deviation (divisor n - 1); null when n < 2. */
  std: number | null;
  /**
   * Half-width of the two-sided 95% Student t interval for the mean,
   * `t(0.975, n - 1) * std / sqrt(n)`; the interval is `mean ± ci95`. Null when n < 2.
   */
  ci95: number | null;
}

/**
 * Running moments of a sample, as kept by storage aggregates. `m2` is Welford's sum of squared
 * deviations from the mean (`sum((x - mean)^2)`), which stays accurate where `sumSq - n*mean^2`
 * would cancel catastrophically for large scores with small spread.
 */
export interface Moments {
  n: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
  median: number;
}

/** Half-width of the 95% t interval for a mean of `n` samples with sample std `std`. */
export function ci95HalfWidth(n: number, std: number): number {
  if (n < 2) throw new RangeError(`a t interval needs n >= 2, got ${n}`);
  return (studentTQuantile(0.975, n - 1) * std) / Math.sqrt(n);
}

/** Median of an ascending-sorted, non-empty array (mean of the two middle values when n is even). */
export function sortedMedian(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('median of an empty sample');
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Summarises raw scores. Throws on an empty sample or a non-finite score. */
export function summarise(scores: readonly number[]): Summary {
  if (scores.length === 0) throw new RangeError('summarise needs at least one score');
  const sorted = [...scores].sort((x, y) => x - y);
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[i];
    if (!Number.isFinite(x)) throw new RangeError(`score ${i} is not finite: ${x}`);
    const delta = x - mean;
    mean += delta / (i + 1);
    m2 += delta * (x - mean);
  }
  return summariseMoments({
    n: sorted.length,
    mean,
    m2,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    median: sortedMedian(sorted),
  });
}

/** Builds a Summary from running moments (what a storage aggregate row holds). */
export function summariseMoments(m: Moments): Summary {
  if (m.n < 1) throw new RangeError('summariseMoments needs n >= 1');
  // Rounding can leave m2 a hair below zero for identical scores.
  const std = m.n >= 2 ? Math.sqrt(Math.max(0, m.m2) / (m.n - 1)) : null;
  return {
    n: m.n,
    mean: m.mean,
    median: m.median,
    min: m.min,
    max: m.max,
    std,
    ci95: std === null ? null : ci95HalfWidth(m.n, std),
  };
}

/** Reference scores that define the normalised scale for one game. */
export interface Baselines {
  /** Mean score of the uniformly random agent: maps to 0. */
  random: number;
  /** Mean score of the scripted (built-in heuristic) agent: maps to 1. */
  scripted: number;
}

/**
 * `(agent - random) / (scripted - random)`: 0 plays like random, 1 like the scripted agent,
 * above 1 better than it. Throws when the baselines coincide (the scale is undefined).
 */
export function normalisedScore(agent: number, baselines: Baselines): number {
  const span = baselines.scripted - baselines.random;
  if (span === 0 || !Number.isFinite(span)) {
    throw new RangeError(
      `baselines must differ and be finite (random ${baselines.random}, scripted ${baselines.scripted})`,
    );
  }
  return (agent - baselines.random) / span;
}

/** An evaluation's scores summarised, as `arena eval` prints them and training logs them. */
export interface EvalStats {
  episodes: number;
  mean: number;
  /** Sample standard deviation (0 for a single episode). */
  std: number;
  /** 95% confidence interval of the mean (Student t), [low, high]; [mean, mean] for one episode. */
  ci95: [number, number];
  median: number;
  min: number;
  max: number;
  /** (mean - random) / (scripted - random); null without baselines or when they coincide. */
  normalised: number | null;
}

/** Summarises an evaluation's scores, normalised against the game's baselines when given. */
export function evalStats(scores: readonly number[], baselines?: Baselines): EvalStats {
  const s = summarise(scores);
  const half = s.ci95 ?? 0;
  const span = baselines ? baselines.scripted - baselines.random : 0;
  return {
    episodes: s.n,
    mean: s.mean,
    std: s.std ?? 0,
    ci95: [s.mean - half, s.mean + half],
    median: s.median,
    min: s.min,
    max: s.max,
    normalised:
      baselines && span !== 0 && Number.isFinite(span) ? normalisedScore(s.mean, baselines) : null,
  };
}

/** Evaluation statistics as `eval/...` metrics for the training log. */
export function evalMetrics(stats: EvalStats): Record<string, number | null> {
  return {
    'eval/mean': stats.mean,
    'eval/ci95_low': stats.ci95[0],
    'eval/ci95_high': stats.ci95[1],
    'eval/median': stats.median,
    'eval/min': stats.min,
    'eval/max': stats.max,
    'eval/episodes': stats.episodes,
    'eval/normalised': stats.normalised,
  };
}
