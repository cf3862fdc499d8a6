/**
 * Geometry of the 95% interval bars in leaderboard rows. Every row of a table is drawn on one
 * shared scale, so bars can be compared by eye: the domain spans the lowest lower bound to the
 * highest upper bound of the rows (means where a row has no interval yet), padded slightly.
 */

export interface IntervalDatum {
  mean: number;
  /** [low, high], or null when the interval is unknown (fewer than 2 episodes). */
  ci95: readonly [number, number] | null;
}

export type Domain = readonly [number, number];

/** The shared scale of a set of rows; a degenerate set gets a unit-wide domain around its value. */
export function sharedDomain(rows: readonly IntervalDatum[], padding = 0.04): Domain {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    const [a, b] = row.ci95 ?? [row.mean, row.mean];
    if (Number.isFinite(a)) low = Math.min(low, a, row.mean);
    if (Number.isFinite(b)) high = Math.max(high, b, row.mean);
  }
  if (!Number.isFinite(low) || !Number.isFinite(high)) return [0, 1];
  if (high === low) return [low - 0.5, high + 0.5];
  const pad = (high - low) * padding;
  return [low - pad, high + pad];
}

export interface IntervalGeometry {
  /** Left end of the interval, in pixels from the left of the drawing. */
  x1: number;
  /** Right end of the interval. */
  x2: number;
  /** The mean's position. */
  xMean: number;
  /** False when the row has no interval: only the mean is drawn. */
  hasInterval: boolean;
}

/** Positions of one row's interval on a drawing `width` pixels wide, clamped to the drawing. */
export function intervalGeometry(
  row: IntervalDatum,
  domain: Domain,
  width: number,
): IntervalGeometry {
  const [d0, d1] = domain;
  const span = d1 - d0;
  const at = (value: number) => {
    const x = span > 0 ? ((value - d0) / span) * width : width / 2;
    return Math.min(width, Math.max(0, x));
  };
  const [low, high] = row.ci95 ?? [row.mean, row.mean];
  return { x1: at(low), x2: at(high), xMean: at(row.mean), hasInterval: row.ci95 !== null };
}
