/**
 * Duel ratings from every recorded match of a game: Bradley–Terry strengths by maximum
 * likelihood on the Elo scale (a win 1, a draw half), anchored so the scripted agent stands at
 * 1000, with 95% percentile-bootstrap intervals (`stats/bootstrap.ts`), as LMSYS's Chatbot Arena
 * rates models. A quick table (100 resamples) is stored after each match; a final one (1,000)
 * once matches pause, and the API says which it is serving.
 */
import { BOOTSTRAP_FINAL, BOOTSTRAP_QUICK, bootstrapRatings } from '../stats/bootstrap.ts';
import type { MatchResult } from '../stats/bradleyTerry.ts';
import type { Storage } from '../storage/base.ts';
import type { NewRating, RatingTableInfo } from '../storage/types.ts';

/** The agent whose rating is fixed at `ANCHOR_RATING`. */
export const ANCHOR_AGENT = 'scripted';
export const ANCHOR_RATING = 1000;

/** Half-width used for a player that no resample happened to include (practically never). */
const UNKNOWN_HALF_WIDTH = 800;

export interface RecordTally {
  matches: number;
  wins: number;
  losses: number;
  draws: number;
}

/** Each player's wins, losses and draws. */
export function tallyResults(results: readonly MatchResult[]): Map<string, RecordTally> {
  const tally = new Map<string, RecordTally>();
  const of = (p: string) => {
    let t = tally.get(p);
    if (!t) {
      t = { matches: 0, wins: 0, losses: 0, draws: 0 };
      tally.set(p, t);
    }
    return t;
  };
  for (const r of results) {
    const a = of(r.a);
    const b = of(r.b);
    a.matches++;
    b.matches++;
    if (r.outcome === 'draw') {
      a.draws++;
      b.draws++;
    } else if (r.outcome === 'a') {
      a.wins++;
      b.losses++;
    } else {
      b.wins++;
      a.losses++;
    }
  }
  return tally;
}

/**
 * The anchor: the scripted agent's latest version that has played; otherwise (a store without
 * it) the player with the most matches, so the scale still has a fixed point.
 */
export function chooseAnchor(
  storage: Storage,
  gameId: string,
  tally: Map<string, RecordTally>,
): string {
  const scripted = storage.findAgent({ gameId, name: ANCHOR_AGENT });
  const versions = scripted ? (storage.getAgentDetails(scripted.id)?.versions ?? []) : [];
  for (const v of [...versions].sort((x, y) => y.version - x.version)) {
    if (tally.has(String(v.id))) return String(v.id);
  }
  let best = '';
  let most = -1;
  for (const [player, t] of tally) {
    if (t.matches > most || (t.matches === most && Number(player) < Number(best))) {
      best = player;
      most = t.matches;
    }
  }
  return best;
}

/**
 * Refits a game's table from all its matches with `resamples` bootstrap resamples and stores it
 * (rows and description, one transaction). Returns the description, or null without matches.
 * Deterministic: the resampling seed is the number of matches.
 */
export function refitRatings(
  storage: Storage,
  gameId: string,
  resamples: number = BOOTSTRAP_QUICK,
): RatingTableInfo | null {
  const results = storage.matchResults(gameId);
  if (results.length === 0) return null;
  const tally = tallyResults(results);
  const anchor = chooseAnchor(storage, gameId, tally);
  const boot = bootstrapRatings(results, {
    anchor,
    anchorRating: ANCHOR_RATING,
    resamples,
    seed: results.length,
  });
  const rows: NewRating[] = boot.ratings.map((r) => {
    const t = tally.get(r.player)!;
    const known = Number.isFinite(r.lower) && Number.isFinite(r.upper);
    return {
      versionId: Number(r.player),
      rating: r.rating,
      // Percentiles of resampled ratings can miss the point estimate by rounding; keep it inside.
      lower: known ? Math.min(r.lower, r.rating) : r.rating - UNKNOWN_HALF_WIDTH,
      upper: known ? Math.max(r.upper, r.rating) : r.rating + UNKNOWN_HALF_WIDTH,
      matches: t.matches,
      wins: t.wins,
      losses: t.losses,
      draws: t.draws,
    };
  });
  storage.replaceRatings(gameId, rows, {
    anchorVersionId: Number(anchor),
    anchorRating: ANCHOR_RATING,
    resamples,
    matches: results.length,
    final: resamples >= BOOTSTRAP_FINAL,
  });
  return storage.ratingTable(gameId);
}

export interface RatingsKeeperOptions {
  storage: Storage;
  /** Refit the final table once no match has finished for this long. Default 10 s. */
  quietMs?: number;
  /** …but at the latest this long after the first match since the last final table. Default 60 s. */
  maxWaitMs?: number;
  log?: (line: string) => void;
}

/**
 * Keeps every game's table fresh: `matchRecorded` refits the quick table at once and schedules
 * the final one (1,000 resamples, about 0.2 s for thousands of matches) for when matches pause.
 */
export class RatingsKeeper {
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; since: number }>();
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private closed = false;

  constructor(private readonly options: RatingsKeeperOptions) {
    this.quietMs = options.quietMs ?? 10_000;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
  }

  matchRecorded(gameId: string): void {
    if (this.closed) return;
    this.refit(gameId, BOOTSTRAP_QUICK);
    const now = Date.now();
    const previous = this.pending.get(gameId);
    if (previous) clearTimeout(previous.timer);
    const since = previous?.since ?? now;
    const delay = Math.max(0, Math.min(this.quietMs, since + this.maxWaitMs - now));
    const timer = setTimeout(() => {
      this.pending.delete(gameId);
      this.refit(gameId, BOOTSTRAP_FINAL);
    }, delay);
    timer.unref();
    this.pending.set(gameId, { timer, since });
  }

  /** Makes sure a game's stored table is final (start-up, after a restart mid-way). */
  ensureFinal(gameId: string): void {
    const info = this.options.storage.ratingTable(gameId);
    const matches = this.options.storage.matchResults(gameId).length;
    if (matches > 0 && (!info?.final || info.matches !== matches)) {
      this.refit(gameId, BOOTSTRAP_FINAL);
    }
  }

  close(): void {
    this.closed = true;
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private refit(gameId: string, resamples: number): void {
    try {
      refitRatings(this.options.storage, gameId, resamples);
    } catch (error) {
      this.options.log?.(`ratings of ${gameId}: ${(error as Error).message}`);
    }
  }
}
