import { Rng } from '../../emulators/rng.ts';
import {
  type BradleyTerryOptions,
  ELO_PER_NAT,
  fitBradleyTerry,
  fitStrengths,
  indexResults,
  type MatchResult,
  type PairTable,
  type PlayerRating,
  resolveOptions,
  toRatings,
} from './bradleyTerry.ts';

/** Resample counts: enough for a quick table, and what a published ("final") table uses. */
export const BOOTSTRAP_QUICK = 100;
export const BOOTSTRAP_FINAL = 1000;

export interface BootstrapOptions extends BradleyTerryOptions {
  /** Number of resamples, at least BOOTSTRAP_QUICK (100); use BOOTSTRAP_FINAL for final tables. */
  resamples: number;
  /** Seed for the resampling stream (`emulators/rng.ts`); same seed, same intervals. */
  seed: number;
}

export interface RatingInterval extends PlayerRating {
  /** 2.5th and 97.5th percentiles of the player's rating over the resamples. */
  lower: number;
  upper: number;
}

export interface BootstrapResult {
  /** Point ratings from the full data with their percentile intervals; highest rating first. */
  ratings: RatingInterval[];
  /** Resamples that contributed. */
  resamples: number;
  /** Resamples dropped because the anchor drew no match in them (rare unless it has few). */
  discarded: number;
}

/** Percentile of ascending-sorted values with linear interpolation between order statistics. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * 95% percentile-bootstrap intervals for Bradley–Terry ratings: resamples whole matches with
 * replacement, refits each resample (warm-started from the full fit) and takes the 2.5th/97.5th
 * percentiles per player. A player contributes only from resamples it appears in. The anchor's
 * interval is degenerate by construction: every other interval is relative to it.
 */
export function bootstrapRatings(
  results: readonly MatchResult[],
  options: BootstrapOptions,
): BootstrapResult {
  if (!Number.isInteger(options.resamples) || options.resamples < BOOTSTRAP_QUICK) {
    throw new RangeError(
      `resamples must be an integer >= ${BOOTSTRAP_QUICK}, got ${options.resamples}`,
    );
  }
  const opts = resolveOptions(options);
  const point = fitBradleyTerry(results, opts);
  const { table, pairOf, winOf } = indexResults(results);
  const n = table.players.length;
  const anchorIndex = table.players.indexOf(opts.anchor);
  const start = new Float64Array(n);
  const pointByPlayer = new Map(point.ratings.map((r) => [r.player, r]));
  for (let i = 0; i < n; i++) {
    start[i] = (pointByPlayer.get(table.players[i])!.rating - opts.anchorRating) / ELO_PER_NAT;
  }

  const rng = new Rng(options.seed);
  const samples: number[][] = table.players.map(() => []);
  const m = results.length;
  let discarded = 0;
  for (let r = 0; r < options.resamples; r++) {
    const resample: PairTable = {
      ...table,
      games: new Float64Array(table.games.length),
      wins: new Float64Array(table.games.length),
    };
    for (let k = 0; k < m; k++) {
      const pick = rng.int(m);
      resample.games[pairOf[pick]] += 1;
      resample.wins[pairOf[pick]] += winOf[pick];
    }
    const present = new Uint8Array(n);
    for (let p = 0; p < resample.games.length; p++) {
      if (resample.games[p] > 0) {
        present[resample.first[p]] = 1;
        present[resample.second[p]] = 1;
      }
    }
    if (!present[anchorIndex]) {
      discarded++;
      continue;
    }
    const { theta } = fitStrengths(resample, { ...opts, anchorIndex, start });
    const ratings = toRatings(theta, anchorIndex, opts.anchorRating);
    for (let i = 0; i < n; i++) if (present[i]) samples[i].push(ratings[i]);
  }

  const intervals = table.players.map((player, i): RatingInterval => {
    const sorted = samples[i].sort((x, y) => x - y);
    const p = pointByPlayer.get(player)!;
    return { ...p, lower: percentile(sorted, 0.025), upper: percentile(sorted, 0.975) };
  });
  intervals.sort((x, y) => y.rating - x.rating);
  return { ratings: intervals, resamples: options.resamples - discarded, discarded };
}
