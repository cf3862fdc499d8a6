/** Bulk data and timing helpers for the leaderboard performance test and benchmark. */
import type { SqliteStorage } from '../../server/storage/sqlite.ts';

/**
 * Inserts `episodes` rows straight into `episodes` with one SQL statement (the normal write path
 * would take a minute at this size), version after version (so index inserts are appends, as
 * they mostly are in real life), spread evenly over `versionIds`, with deterministic pseudo-random
 * scores (multiples of 10 in [0, 10000), shifted up 50 per version) and about 6% non-OK outcomes. Aggregates are left stale:
 * call `rebuildAggregates()` afterwards.
 */
export function fillEpisodes(
  storage: SqliteStorage,
  opts: { versionIds: readonly number[]; episodes: number; gameId?: string },
): void {
  storage.db.exec('CREATE TEMP TABLE perf_versions (k INTEGER PRIMARY KEY, id INTEGER NOT NULL)');
  const add = storage.db.prepare('INSERT INTO perf_versions (k, id) VALUES (?, ?)');
  for (const [k, id] of opts.versionIds.entries()) add.run(k, id);
  storage.db
    .prepare(
      `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < @count - 1),
         e(i, k) AS (SELECT i, CAST(i * @versions / @count AS INTEGER) FROM c)
       INSERT INTO episodes (version_id, game_id, score, frames, seed, outcome, created_at)
       SELECT (SELECT id FROM perf_versions p WHERE p.k = e.k), @game,
              ((i * 2654435761) % 1000) * 10 + k * 50, 1000, i,
              CASE WHEN i % 17 = 0 THEN 'TIMEOUT' ELSE 'OK' END, 0
       FROM e`,
    )
    .run({ count: opts.episodes, versions: opts.versionIds.length, game: opts.gameId ?? 'brick' });
  storage.db.exec('DROP TABLE perf_versions');
}

export interface Percentiles {
  p50: number;
  p99: number;
}

/** Runs `fn` `calls` times; per-call CPU time (this process) and wall time, in ms. */
export function timeCalls(
  fn: () => unknown,
  calls: number,
): { cpu: Percentiles; wall: Percentiles } {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < calls; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    fn();
    wall.push(performance.now() - w0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const pct = (xs: number[]): Percentiles => {
    xs.sort((a, b) => a - b);
    return { p50: xs[Math.floor(xs.length * 0.5)], p99: xs[Math.floor(xs.length * 0.99)] };
  };
  return { cpu: pct(cpu), wall: pct(wall) };
}
