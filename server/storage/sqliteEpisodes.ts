/**
 * Episodes, replays and the per-version aggregates over SQLite. Every public write runs in one
 * IMMEDIATE transaction (all rows or none); the aggregates change in that same transaction.
 */
import {
  checkFinite,
  checkInt,
  checkJsonObject,
  checkSha1,
  encodeActions,
  invalid,
  notFound,
  pageLimit,
  REPLAY_ENCODING,
  type ReplayRow,
  replayFromRow,
  type SqliteContext,
  translateConstraint,
} from './rows.ts';
import {
  EPISODE_OUTCOMES,
  type Episode,
  type NewEpisode,
  type NewReplay,
  type PageOptions,
  type Replay,
} from './types.ts';

interface EpisodeRow {
  id: number;
  version_id: number;
  game_id: string;
  score: number;
  frames: number;
  seed: number;
  outcome: Episode['outcome'];
  reason: string | null;
  job_id: number | null;
  match_id: number | null;
  replay_id: number | null;
  created_at: number;
}

const episodeFromRow = (r: EpisodeRow): Episode => ({
  id: r.id,
  versionId: r.version_id,
  gameId: r.game_id,
  score: r.score,
  frames: r.frames,
  seed: r.seed,
  outcome: r.outcome,
  reason: r.reason,
  jobId: r.job_id,
  matchId: r.match_id,
  replayId: r.replay_id,
  createdAt: r.created_at,
});

export function gameOfVersion(ctx: SqliteContext, versionId: number): string {
  const row = ctx
    .stmt(
      `SELECT a.game_id FROM agent_versions v JOIN agents a ON a.id = v.agent_id WHERE v.id = ?`,
    )
    .get(versionId) as { game_id: string } | undefined;
  if (!row) notFound(`agent version ${versionId} does not exist`);
  return row.game_id;
}

export function insertReplay(ctx: SqliteContext, replay: NewReplay): number {
  const romSha1 = checkSha1('replay.romSha1', replay.romSha1);
  const seed = checkInt('replay.seed', replay.seed);
  const settings = checkJsonObject('replay.settings', replay.settings);
  if (!(replay.actions instanceof Uint8Array)) invalid('replay.actions must be a Uint8Array');
  // A match replay holds both controllers, two bytes a frame (`settings.controllers` = 2).
  const controllers = replay.settings.controllers === 2 ? 2 : 1;
  if (replay.actions.length % controllers !== 0) {
    invalid('replay.actions must hold one byte per controller per frame');
  }
  const row = ctx
    .stmt(
      `INSERT INTO replays (rom_sha1, seed, settings, encoding, actions, frames, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(
      romSha1,
      seed,
      settings,
      REPLAY_ENCODING,
      encodeActions(replay.actions),
      replay.actions.length / controllers,
      ctx.now(),
    ) as { id: number };
  return row.id;
}

/** Welford update of one version's aggregate row; the median is fixed up per transaction. */
const UPSERT_STATS = `
  INSERT INTO version_stats
    (version_id, game_id, n, mean_score, m2, min_score, max_score, median_score, failures, updated_at)
  VALUES (@versionId, @gameId, 1, @score, 0, @score, @score, @score, @failed, @now)
  ON CONFLICT (version_id) DO UPDATE SET
    n = n + 1,
    mean_score = mean_score + (excluded.mean_score - mean_score) / (n + 1),
    m2 = m2 + (excluded.mean_score - mean_score)
              * (excluded.mean_score - (mean_score + (excluded.mean_score - mean_score) / (n + 1))),
    min_score = min(min_score, excluded.min_score),
    max_score = max(max_score, excluded.max_score),
    failures = failures + excluded.failures,
    updated_at = excluded.updated_at`;

/**
 * Exact median from the score histogram: walks the (version, score) primary key in order until
 * it passes the middle, so it costs O(distinct scores), not O(episodes).
 */
function medianFromHistogram(ctx: SqliteContext, versionId: number, n: number): number {
  const lowIndex = (n - 1) >> 1;
  const highIndex = n >> 1;
  let seen = 0;
  let low: number | undefined;
  const rows = ctx
    .stmt('SELECT score, n FROM score_counts WHERE version_id = ? ORDER BY score')
    .iterate(versionId) as IterableIterator<{ score: number; n: number }>;
  for (const row of rows) {
    seen += row.n;
    if (low === undefined && seen > lowIndex) low = row.score;
    if (seen > highIndex) return ((low as number) + row.score) / 2;
  }
  throw new Error(`score histogram of version ${versionId} holds fewer than ${n} episodes`);
}

export function insertEpisodes(
  ctx: SqliteContext,
  episodes: readonly NewEpisode[],
  matchId: number | null,
): Episode[] {
  const gameOf = new Map<number, string>();
  const touched = new Set<number>();
  const inserted = episodes.map((e, i): Episode => {
    const at = `episode ${i}`;
    const versionId = checkInt(`${at}.versionId`, e.versionId, 1);
    const score = checkFinite(`${at}.score`, e.score);
    const frames = checkInt(`${at}.frames`, e.frames, 0);
    const seed = checkInt(`${at}.seed`, e.seed);
    if (!EPISODE_OUTCOMES.includes(e.outcome)) invalid(`${at}.outcome is not a known outcome`);
    const reason = e.reason ?? null;
    if (reason !== null && (typeof reason !== 'string' || reason.length > 2000)) {
      invalid(`${at}.reason must be a string of at most 2000 characters`);
    }
    let gameId = gameOf.get(versionId);
    if (gameId === undefined) {
      gameId = gameOfVersion(ctx, versionId);
      gameOf.set(versionId, gameId);
    }
    const jobId = e.jobId ?? null;
    if (jobId !== null) {
      const existing = ctx
        .stmt('SELECT * FROM episodes WHERE job_id = ? AND version_id = ? AND seed = ?')
        .get(jobId, versionId, seed) as EpisodeRow | undefined;
      if (existing) return episodeFromRow(existing);
    }
    const replayId = e.replay ? insertReplay(ctx, e.replay) : null;
    const createdAt = ctx.now();
    const episodeMatchId = matchId ?? e.matchId ?? null;
    const info = translateConstraint(at, () =>
      ctx
        .stmt(
          `INSERT INTO episodes (version_id, game_id, score, frames, seed, outcome, reason,
             job_id, match_id, replay_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          versionId,
          gameId,
          score,
          frames,
          seed,
          e.outcome,
          reason,
          jobId,
          episodeMatchId,
          replayId,
          createdAt,
        ),
    );
    const failed = e.outcome === 'OK' ? 0 : 1;
    ctx.stmt(UPSERT_STATS).run({ versionId, gameId, score, failed, now: createdAt });
    ctx
      .stmt(
        `INSERT INTO score_counts (version_id, score, n) VALUES (?, ?, 1)
         ON CONFLICT (version_id, score) DO UPDATE SET n = n + 1`,
      )
      .run(versionId, score);
    touched.add(versionId);
    return {
      id: Number(info.lastInsertRowid),
      versionId,
      gameId,
      score,
      frames,
      seed,
      outcome: e.outcome,
      reason,
      jobId,
      matchId: episodeMatchId,
      replayId,
      createdAt,
    };
  });
  for (const versionId of touched) refreshMedian(ctx, versionId);
  return inserted;
}

function refreshMedian(ctx: SqliteContext, versionId: number): void {
  const { n } = ctx.stmt('SELECT n FROM version_stats WHERE version_id = ?').get(versionId) as {
    n: number;
  };
  ctx
    .stmt('UPDATE version_stats SET median_score = ? WHERE version_id = ?')
    .run(medianFromHistogram(ctx, versionId, n), versionId);
}

/**
 * Recomputes `version_stats` and `score_counts` from the raw episodes (two-pass, exact) in one
 * transaction: for after a manual data fix, or a migration that changes the aggregates.
 */
export function rebuildAggregates(ctx: SqliteContext): void {
  ctx.db
    .transaction(() => {
      ctx.db.exec(`
        DELETE FROM score_counts;
        DELETE FROM version_stats;
        INSERT INTO score_counts (version_id, score, n)
          SELECT version_id, score, count(*) FROM episodes GROUP BY version_id, score;`);
      ctx.db
        .prepare(
          `INSERT INTO version_stats (version_id, game_id, n, mean_score, m2, min_score, max_score,
             median_score, failures, updated_at)
           SELECT version_id, game_id, count(*), avg(score), 0, min(score), max(score), 0,
                  sum(outcome <> 'OK'), ?
           FROM episodes GROUP BY version_id`,
        )
        .run(ctx.now());
      ctx.db.exec(`
        UPDATE version_stats SET m2 = (
          SELECT coalesce(sum((e.score - version_stats.mean_score) * (e.score - version_stats.mean_score)), 0)
          FROM episodes e WHERE e.version_id = version_stats.version_id);`);
      const ids = ctx.db.prepare('SELECT version_id FROM version_stats').pluck().all() as number[];
      for (const id of ids) refreshMedian(ctx, id);
    })
    .immediate();
}

export function recordEpisodes(ctx: SqliteContext, episodes: readonly NewEpisode[]): Episode[] {
  if (!Array.isArray(episodes)) invalid('episodes must be an array');
  return ctx.db.transaction(() => insertEpisodes(ctx, episodes, null)).immediate();
}

export function listEpisodes(
  ctx: SqliteContext,
  opts: { versionId: number } & PageOptions,
): Episode[] {
  const rows = ctx
    .stmt(`SELECT * FROM episodes WHERE version_id = ? AND id < ? ORDER BY id DESC LIMIT ?`)
    .all(opts.versionId, opts.beforeId ?? Number.MAX_SAFE_INTEGER, pageLimit(opts.limit));
  return (rows as EpisodeRow[]).map(episodeFromRow);
}

export function getReplay(ctx: SqliteContext, id: number): Replay | null {
  const row = ctx.stmt('SELECT * FROM replays WHERE id = ?').get(id) as ReplayRow | undefined;
  return row ? replayFromRow(row) : null;
}
