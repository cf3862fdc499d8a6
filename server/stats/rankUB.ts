/** A confidence interval on some score or rating; use -Infinity/Infinity for "unknown". */
export interface Interval {
  lower: number;
  upper: number;
}

/**
 * Rank (UB) as the LMSYS Chatbot Arena defines it: 1 + the number of entries whose interval lies
 * wholly above this one's (their lower bound > this one's upper bound). Entries whose intervals
 * overlap are statistically tied and may share a rank; ranks need not be contiguous.
 *
 * Returns one rank per entry, in input order. O(n log n).
 */
export function rankUB(entries: readonly Interval[]): number[] {
  for (const [i, e] of entries.entries()) {
    if (Number.isNaN(e.lower) || Number.isNaN(e.upper) || e.lower > e.upper) {
      throw new RangeError(`entry ${i} has an invalid interval [${e.lower}, ${e.upper}]`);
    }
  }
  const lowers = entries.map((e) => e.lower).sort((x, y) => x - y);
  return entries.map((e) => 1 + (lowers.length - upperBound(lowers, e.upper)));
}

/** Index of the first element of ascending `sorted` that is > value. */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
