/** Matches and ratings over SQLite; each write is one IMMEDIATE transaction. */
import type { MatchResult } from '../stats/bradleyTerry.ts';
import {
  checkFinite,
  checkInt,
  invalid,
  pageLimit,
  type SqliteContext,
  translateConstraint,
} from './rows.ts';
import { gameOfVersion, insertEpisodes, insertReplay } from './sqliteEpisodes.ts';
import type {
  Match,
  NewMatch,
  NewRating,
  NewRatingTableInfo,
  PageOptions,
  Rating,
  RatingTableInfo,
} from './types.ts';

interface MatchRow {
  id: number;
  game_id: string;
  player_a: number;
  player_b: number;
  score_a: number;
  score_b: number;
  outcome: Match['outcome'];
  seed: number;
  job_id: number | null;
  replay_id: number | null;
  created_at: number;
}

const matchFromRow = (r: MatchRow): Match => ({
  id: r.id,
  gameId: r.game_id,
  playerA: r.player_a,
  playerB: r.player_b,
  scoreA: r.score_a,
  scoreB: r.score_b,
  outcome: r.outcome,
  seed: r.seed,
  jobId: r.job_id,
  replayId: r.replay_id,
  createdAt: r.created_at,
});

export function recordMatch(ctx: SqliteContext, m: NewMatch): Match {
  const playerA = checkInt('playerA', m.playerA, 1);
  const playerB = checkInt('playerB', m.playerB, 1);
  if (playerA === playerB) invalid('a version cannot play itself');
  const scoreA = checkFinite('scoreA', m.scoreA);
  const scoreB = checkFinite('scoreB', m.scoreB);
  if (!['a', 'b', 'draw'].includes(m.outcome)) invalid("outcome must be 'a', 'b' or 'draw'");
  const seed = checkInt('seed', m.seed);
  const jobId = m.jobId ?? null;
  for (const [i, e] of (m.episodes ?? []).entries()) {
    if (e.versionId !== playerA && e.versionId !== playerB) {
      invalid(`episode ${i} belongs to neither player of the match`);
    }
  }
  return ctx.db
    .transaction(() => {
      const gameId = gameOfVersion(ctx, playerA);
      if (gameOfVersion(ctx, playerB) !== gameId) invalid('both players must play the same game');
      if (jobId !== null) {
        const existing = ctx
          .stmt(
            `SELECT * FROM matches
             WHERE job_id = ? AND player_a = ? AND player_b = ? AND seed = ?`,
          )
          .get(jobId, playerA, playerB, seed) as MatchRow | undefined;
        if (existing) return matchFromRow(existing);
      }
      const replayId = m.replay ? insertReplay(ctx, m.replay) : null;
      const row = translateConstraint('match', () =>
        ctx
          .stmt(
            `INSERT INTO matches (game_id, player_a, player_b, score_a, score_b, outcome, seed,
               job_id, replay_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          )
          .get(
            gameId,
            playerA,
            playerB,
            scoreA,
            scoreB,
            m.outcome,
            seed,
            jobId,
            replayId,
            ctx.now(),
          ),
      ) as MatchRow;
      insertEpisodes(ctx, m.episodes ?? [], row.id);
      return matchFromRow(row);
    })
    .immediate();
}

export function getMatch(ctx: SqliteContext, id: number): Match | null {
  const row = ctx.stmt('SELECT * FROM matches WHERE id = ?').get(id) as MatchRow | undefined;
  return row ? matchFromRow(row) : null;
}

export function listMatches(
  ctx: SqliteContext,
  opts: { gameId?: string; versionId?: number } & PageOptions,
): Match[] {
  const before = opts.beforeId ?? Number.MAX_SAFE_INTEGER;
  const limit = pageLimit(opts.limit);
  let rows: unknown[];
  if (opts.versionId !== undefined) {
    // Two index range scans merged, rather than an OR that defeats both indexes.
    rows = ctx
      .stmt(
        `SELECT * FROM (
           SELECT * FROM matches WHERE player_a = @v AND id < @before
           UNION ALL
           SELECT * FROM matches WHERE player_b = @v AND id < @before)
         WHERE @game IS NULL OR game_id = @game ORDER BY id DESC LIMIT @limit`,
      )
      .all({ v: opts.versionId, before, limit, game: opts.gameId ?? null });
  } else if (opts.gameId !== undefined) {
    rows = ctx
      .stmt('SELECT * FROM matches WHERE game_id = ? AND id < ? ORDER BY id DESC LIMIT ?')
      .all(opts.gameId, before, limit);
  } else {
    rows = ctx
      .stmt('SELECT * FROM matches WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(before, limit);
  }
  return (rows as MatchRow[]).map(matchFromRow);
}

export function matchResults(ctx: SqliteContext, gameId: string): MatchResult[] {
  const rows = ctx
    .stmt('SELECT player_a, player_b, outcome FROM matches WHERE game_id = ? ORDER BY id')
    .all(gameId) as Array<{ player_a: number; player_b: number; outcome: Match['outcome'] }>;
  return rows.map((r) => ({ a: String(r.player_a), b: String(r.player_b), outcome: r.outcome }));
}

interface RatingRow {
  game_id: string;
  version_id: number;
  rating: number;
  lower: number;
  upper: number;
  matches: number;
  wins: number;
  losses: number;
  draws: number;
  computed_at: number;
}

const ratingFromRow = (r: RatingRow): Rating => ({
  gameId: r.game_id,
  versionId: r.version_id,
  rating: r.rating,
  lower: r.lower,
  upper: r.upper,
  matches: r.matches,
  wins: r.wins,
  losses: r.losses,
  draws: r.draws,
  computedAt: r.computed_at,
});

export function replaceRatings(
  ctx: SqliteContext,
  gameId: string,
  ratings: readonly NewRating[],
  table?: NewRatingTableInfo,
): Rating[] {
  return ctx.db
    .transaction(() => {
      ctx.stmt('DELETE FROM ratings WHERE game_id = ?').run(gameId);
      const now = ctx.now();
      if (table) {
        const anchor = table.anchorVersionId;
        if (
          anchor !== null &&
          gameOfVersion(ctx, checkInt('anchorVersionId', anchor, 1)) !== gameId
        )
          invalid('the anchor plays another game');
        ctx
          .stmt(
            `INSERT INTO rating_tables
               (game_id, anchor_version_id, anchor_rating, resamples, matches, final, computed_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (game_id) DO UPDATE SET
               anchor_version_id = excluded.anchor_version_id,
               anchor_rating = excluded.anchor_rating, resamples = excluded.resamples,
               matches = excluded.matches, final = excluded.final,
               computed_at = excluded.computed_at`,
          )
          .run(
            gameId,
            anchor,
            checkFinite('anchorRating', table.anchorRating),
            checkInt('resamples', table.resamples, 0),
            checkInt('matches', table.matches, 0),
            table.final ? 1 : 0,
            now,
          );
      }
      return ratings.map((r, i) => {
        const versionId = checkInt(`rating ${i}.versionId`, r.versionId, 1);
        if (gameOfVersion(ctx, versionId) !== gameId) invalid(`rating ${i} is for another game`);
        for (const k of ['rating', 'lower', 'upper'] as const)
          checkFinite(`rating ${i}.${k}`, r[k]);
        if (!(r.lower <= r.rating && r.rating <= r.upper))
          invalid(`rating ${i}: need lower <= rating <= upper`);
        const row = translateConstraint(`rating ${i}`, () =>
          ctx
            .stmt(
              `INSERT INTO ratings (game_id, version_id, rating, lower, upper, matches, wins,
                 losses, draws, computed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
            )
            .get(
              gameId,
              versionId,
              r.rating,
              r.lower,
              r.upper,
              checkInt('matches', r.matches, 0),
              checkInt('wins', r.wins ?? 0, 0),
              checkInt('losses', r.losses ?? 0, 0),
              checkInt('draws', r.draws ?? 0, 0),
              now,
            ),
        ) as RatingRow;
        return ratingFromRow(row);
      });
    })
    .immediate();
}

export function listRatings(ctx: SqliteContext, gameId: string): Rating[] {
  const rows = ctx
    .stmt('SELECT * FROM ratings WHERE game_id = ? ORDER BY rating DESC, version_id')
    .all(gameId) as RatingRow[];
  return rows.map(ratingFromRow);
}

export function ratingTable(ctx: SqliteContext, gameId: string): RatingTableInfo | null {
  const row = ctx.stmt('SELECT * FROM rating_tables WHERE game_id = ?').get(gameId) as
    | {
        anchor_version_id: number | null;
        anchor_rating: number;
        resamples: number;
        matches: number;
        final: number;
        computed_at: number;
      }
    | undefined;
  if (!row) return null;
  return {
    anchorVersionId: row.anchor_version_id,
    anchorRating: row.anchor_rating,
    resamples: row.resamples,
    matches: row.matches,
    final: row.final === 1,
    computedAt: row.computed_at,
  };
}
