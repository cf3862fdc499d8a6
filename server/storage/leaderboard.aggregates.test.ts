/**
 * The leaderboard reads per-version aggregates, not episode rows; this checks that aggregates
 * rebuilt in bulk and then updated incrementally still match a recomputation from the raw rows.
 * Its speed over 1,000,000 rows is a benchmark (`tests/bench/leaderboard.bench.ts`), not a test.
 */
import { describe, expect, it } from 'vitest';
import { summarise } from '../../agents/evaluation/statistics.ts';
import { fillEpisodes } from '../../tests/support/perfFixtures.ts';
import { addAgent, freshStorage } from '../../tests/support/storeFixtures.ts';

describe('leaderboard aggregates over many episodes', () => {
  it('match the raw rows after a bulk rebuild and an incremental write', () => {
    const s = freshStorage();
    const versions = Array.from(
      { length: 20 },
      (_, i) => addAgent(s, { name: `agent${i}` }).versionIds[0],
    );
    fillEpisodes(s, { versionIds: versions, episodes: 100_000 });
    s.rebuildAggregates();
    s.recordEpisodes([{ versionId: versions[3], score: 12345, frames: 1, seed: 0, outcome: 'OK' }]);
    const board = s.leaderboard('brick');
    expect(board).toHaveLength(20);
    expect(board.reduce((n, r) => n + r.summary.n, 0)).toBe(100_001);
    const check = board.find((r) => r.versionId === versions[3])!;
    const raw = s.db
      .prepare('SELECT score FROM episodes WHERE version_id = ?')
      .pluck()
      .all(versions[3]) as number[];
    const expected = summarise(raw);
    expect(check.summary.median).toBe(expected.median);
    expect(check.summary.mean).toBeCloseTo(expected.mean, 8);
    expect(check.summary.std!).toBeCloseTo(expected.std!, 8);
    s.close();
  });
});
