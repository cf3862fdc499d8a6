/**
 * Bradley–Terry ratings on the Elo scale, fitted by maximum (penalised) likelihood.
 *
 * Model: P(i beats j) = 1 / (1 + 10^((R_j - R_i) / 400)). Internally strengths are natural-log
 * θ = R · ln(10) / 400 so that P = σ(θ_i − θ_j). A draw counts as half a win for each side, the
 * usual convention (Elo, LMSYS) which keeps the likelihood a plain binomial one.
 *
 * Guard: an L2 prior −(λ/2)·Σθ² (ridge; `prior` = λ, default 0.01, i.e. a N(0, 10²) prior on θ,
 * ±1,700 Elo) keeps the fit finite for players who only won or only lost and for match graphs
 * that are not connected, where the plain MLE runs off to ±∞ or is not identified. It shrinks
 * ratings slightly toward the mean, negligibly once a player has more than a handful of games.
 * With `prior: 0` the anchor is pinned instead, and a non-identified fit throws.
 */

export type MatchOutcome = 'a' | 'b' | 'draw';

/** One decided match between two players (ids are opaque strings, e.g. agent version ids). */
export interface MatchResult {
  a: string;
  b: string;
  outcome: MatchOutcome;
}

export interface BradleyTerryOptions {
  /** Player whose rating is fixed at `anchorRating`; must appear in the results. */
  anchor: string;
  /** Rating the anchor is shifted to. Default 1000. */
  anchorRating?: number;
  /** L2 prior strength λ on natural-log strengths; see the module comment. Default 0.01. */
  prior?: number;
  /** Newton iterations before giving up. Default 100. */
  maxIterations?: number;
  /** Stop once no strength moves by more than this (natural-log units). Default 1e-10. */
  tolerance?: number;
}

export interface PlayerRating {
  player: string;
  /** Elo-scale rating (base 10, 400 points). */
  rating: number;
  /** Matches the player took part in. */
  matches: number;
}

export interface BradleyTerryFit {
  /** Highest rating first. */
  ratings: PlayerRating[];
  iterations: number;
}

/** Elo points per natural-log unit of strength. */
export const ELO_PER_NAT = 400 / Math.LN10;

/** Results aggregated per unordered pair: the form the likelihood needs. */
export interface PairTable {
  players: string[];
  /** Per pair: index of the first and second player, games played, wins of the first. */
  first: Int32Array;
  second: Int32Array;
  games: Float64Array;
  wins: Float64Array;
}

/** Checks results and indexes players and pairs; `pairOf[k]`/`winOf[k]` describe match k. */
export function indexResults(results: readonly MatchResult[]): {
  table: PairTable;
  pairOf: Int32Array;
  winOf: Float64Array;
} {
  const playerIndex = new Map<string, number>();
  const players: string[] = [];
  const idOf = (p: string): number => {
    let i = playerIndex.get(p);
    if (i === undefined) {
      i = players.length;
      playerIndex.set(p, i);
      players.push(p);
    }
    return i;
  };
  const pairIndex = new Map<number, number>();
  const first: number[] = [];
  const second: number[] = [];
  const pairOf = new Int32Array(results.length);
  const winOf = new Float64Array(results.length);
  for (const [k, r] of results.entries()) {
    if (r.a === r.b) throw new RangeError(`match ${k}: a player cannot play itself (${r.a})`);
    if (r.outcome !== 'a' && r.outcome !== 'b' && r.outcome !== 'draw') {
      throw new RangeError(`match ${k}: unknown outcome ${String(r.outcome)}`);
    }
    const ia = idOf(r.a);
    const ib = idOf(r.b);
    const [lo, hi] = ia < ib ? [ia, ib] : [ib, ia];
    // Player counts stay far below 2^26, so lo * 2^26 + hi is an exact, collision-free key.
    const key = lo * 67108864 + hi;
    let p = pairIndex.get(key);
    if (p === undefined) {
      p = first.length;
      pairIndex.set(key, p);
      first.push(lo);
      second.push(hi);
    }
    const aScore = r.outcome === 'a' ? 1 : r.outcome === 'draw' ? 0.5 : 0;
    pairOf[k] = p;
    winOf[k] = ia === lo ? aScore : 1 - aScore;
  }
  const games = new Float64Array(first.length);
  const wins = new Float64Array(first.length);
  for (let k = 0; k < results.length; k++) {
    games[pairOf[k]] += 1;
    wins[pairOf[k]] += winOf[k];
  }
  const table = {
    players,
    first: Int32Array.from(first),
    second: Int32Array.from(second),
    games,
    wins,
  };
  return { table, pairOf, winOf };
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

function penalisedLogLikelihood(table: PairTable, theta: Float64Array, prior: number): number {
  let ll = 0;
  for (let p = 0; p < table.games.length; p++) {
    const d = theta[table.first[p]] - theta[table.second[p]];
    ll += table.wins[p] * logSigmoid(d) + (table.games[p] - table.wins[p]) * logSigmoid(-d);
  }
  for (const t of theta) ll -= 0.5 * prior * t * t;
  return ll;
}

/** Solves the symmetric positive-definite system `h x = g` in place (Cholesky); null if not SPD. */
function solveSpd(h: Float64Array, g: Float64Array, n: number): Float64Array | null {
  for (let j = 0; j < n; j++) {
    let diag = h[j * n + j];
    for (let k = 0; k < j; k++) diag -= h[j * n + k] * h[j * n + k];
    if (!(diag > 1e-12)) return null;
    const ljj = Math.sqrt(diag);
    h[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let v = h[i * n + j];
      for (let k = 0; k < j; k++) v -= h[i * n + k] * h[j * n + k];
      h[i * n + j] = v / ljj;
    }
  }
  const x = Float64Array.from(g);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) x[i] -= h[i * n + k] * x[k];
    x[i] /= h[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) x[i] -= h[k * n + i] * x[k];
    x[i] /= h[i * n + i];
  }
  return x;
}

/**
 * Newton's method with step halving on the penalised log-likelihood, from `start` (warm starts
 * make bootstrap resamples cheap). Returns natural-log strengths, not yet anchored.
 */
export function fitStrengths(
  table: PairTable,
  opts: {
    prior: number;
    anchorIndex: number;
    maxIterations: number;
    tolerance: number;
    start?: Float64Array;
  },
): { theta: Float64Array; iterations: number } {
  const n = table.players.length;
  const theta = opts.start ? Float64Array.from(opts.start) : new Float64Array(n);
  // Without a prior the likelihood is shift-invariant: pin the anchor to remove that freedom.
  const pinned = opts.prior === 0 ? opts.anchorIndex : -1;
  let ll = penalisedLogLikelihood(table, theta, opts.prior);
  for (let iter = 1; iter <= opts.maxIterations; iter++) {
    const grad = new Float64Array(n);
    const hess = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      grad[i] = -opts.prior * theta[i];
      hess[i * n + i] = opts.prior;
    }
    for (let p = 0; p < table.games.length; p++) {
      const i = table.first[p];
      const j = table.second[p];
      const prob = sigmoid(theta[i] - theta[j]);
      const resid = table.wins[p] - table.games[p] * prob;
      const w = table.games[p] * prob * (1 - prob);
      grad[i] += resid;
      grad[j] -= resid;
      hess[i * n + i] += w;
      hess[j * n + j] += w;
      hess[i * n + j] -= w;
      hess[j * n + i] -= w;
    }
    if (pinned >= 0) {
      for (let k = 0; k < n; k++) {
        hess[pinned * n + k] = 0;
        hess[k * n + pinned] = 0;
      }
      hess[pinned * n + pinned] = 1;
      grad[pinned] = 0;
    }
    const step = solveSpd(hess, grad, n);
    if (!step) {
      throw new RangeError(
        'Bradley–Terry fit is not identified (disconnected match graph or a perfect record); use prior > 0',
      );
    }
    let scale = 1;
    let next = theta;
    let nextLl = ll;
    for (let halvings = 0; halvings < 30; halvings++) {
      next = theta.map((t, i) => t + scale * step[i]);
      nextLl = penalisedLogLikelihood(table, next, opts.prior);
      if (nextLl >= ll - 1e-12) break;
      scale /= 2;
    }
    let maxMove = 0;
    for (let i = 0; i < n; i++) maxMove = Math.max(maxMove, Math.abs(next[i] - theta[i]));
    theta.set(next);
    ll = nextLl;
    if (maxMove < opts.tolerance) return { theta, iterations: iter };
  }
  throw new RangeError(`Bradley–Terry fit did not converge in ${opts.maxIterations} iterations`);
}

/** Resolves defaults and checks options shared by the fit and the bootstrap. */
export function resolveOptions(opts: BradleyTerryOptions): Required<BradleyTerryOptions> {
  const resolved = {
    anchor: opts.anchor,
    anchorRating: opts.anchorRating ?? 1000,
    prior: opts.prior ?? 0.01,
    maxIterations: opts.maxIterations ?? 100,
    tolerance: opts.tolerance ?? 1e-10,
  };
  if (!(resolved.prior >= 0)) throw new RangeError(`prior must be >= 0, got ${resolved.prior}`);
  if (!Number.isFinite(resolved.anchorRating)) throw new RangeError('anchorRating must be finite');
  return resolved;
}

/** Converts strengths to Elo-scale ratings with the anchor at `anchorRating`. */
export function toRatings(
  theta: Float64Array,
  anchorIndex: number,
  anchorRating: number,
): number[] {
  return Array.from(theta, (t) => anchorRating + (t - theta[anchorIndex]) * ELO_PER_NAT);
}

/**
 * Fits Bradley–Terry ratings to match results. Throws if the anchor played no match, on a
 * malformed result, or (with `prior: 0`) when the ratings are not identified.
 */
export function fitBradleyTerry(
  results: readonly MatchResult[],
  options: BradleyTerryOptions,
): BradleyTerryFit {
  const opts = resolveOptions(options);
  const { table } = indexResults(results);
  const anchorIndex = table.players.indexOf(opts.anchor);
  if (anchorIndex < 0) throw new RangeError(`anchor ${opts.anchor} played no match`);
  const { theta, iterations } = fitStrengths(table, { ...opts, anchorIndex });
  const ratings = toRatings(theta, anchorIndex, opts.anchorRating);
  const matches = new Array<number>(table.players.length).fill(0);
  for (let p = 0; p < table.games.length; p++) {
    matches[table.first[p]] += table.games[p];
    matches[table.second[p]] += table.games[p];
  }
  return {
    ratings: table.players
      .map((player, i) => ({ player, rating: ratings[i], matches: matches[i] }))
      .sort((x, y) => y.rating - x.rating),
    iterations,
  };
}
