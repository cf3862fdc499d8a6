import { describe, expect, it } from 'vitest';
import { summarise } from '../../agents/evaluation/statistics.ts';
import { Rng } from '../../emulators/rng.ts';
import { addAgent, freshStorage } from '../../tests/support/storeFixtures.ts';
import { rankUB } from '../stats/rankUB.ts';
import type { Game, NewEpisode } from './types.ts';

const PONG: Game = { id: 'pong', title: 'Pong', romSha1: 'b'.repeat(40), baselines: null };

describe('leaderboard', () => {
  it('matches a recomputation from the raw episode rows', () => {
    const s = freshStorage();
    const rng = new Rng(11);
    const versions = [
      ...addAgent(s, { name: 'random', kind: 'builtin', versions: 1 }).versionIds,
      ...addAgent(s, { name: 'dqn', owner: 'bob', versions: 3 }).versionIds,
      ...addAgent(s, { name: 'scripted', kind: 'builtin', versions: 1 }).versionIds,
    ];
    const means = [10, 40, 60, 62, 110];
    // Several batches so the aggregates are built incrementally across transactions.
    for (let batch = 0; batch < 4; batch++) {
      const episodes: NewEpisode[] = [];
      for (const [i, v] of versions.entries()) {
        for (let k = 0; k < 5 + i * 3; k++) {
          const score = Math.round(means[i] + (rng.next() - 0.5) * 80) * 10;
          const outcome = rng.int(10) === 0 ? 'TIMEOUT' : 'OK';
          episodes.push({ versionId: v, score, frames: 100, seed: k, outcome });
        }
      }
      s.recordEpisodes(episodes);
    }

    const board = s.leaderboard('brick');
    expect(board).toHaveLength(versions.length);
    for (const row of board) {
      const raw = s.db
        .prepare('SELECT score, outcome FROM episodes WHERE version_id = ?')
        .all(row.versionId) as Array<{ score: number; outcome: string }>;
      const expected = summarise(raw.map((r) => r.score));
      expect(row.summary.n).toBe(expected.n);
      expect(row.summary.median).toBe(expected.median);
      expect(row.summary.min).toBe(expected.min);
      expect(row.summary.max).toBe(expected.max);
      expect(row.summary.mean).toBeCloseTo(expected.mean, 9);
      expect(row.summary.std!).toBeCloseTo(expected.std!, 9);
      expect(row.summary.ci95!).toBeCloseTo(expected.ci95!, 9);
      expect(row.failures).toBe(raw.filter((r) => r.outcome !== 'OK').length);
      expect(row.normalisedMean).toBeCloseTo((row.summary.mean - 10) / 100, 9);
    }
    // Ordered by Rank (UB), and the ranks are those of the intervals.
    const ranks = rankUB(
      board.map((r) => ({
        lower: r.summary.mean - r.summary.ci95!,
        upper: r.summary.mean + r.summary.ci95!,
      })),
    );
    expect(board.map((r) => r.rank)).toEqual(ranks);
    for (let i = 1; i < board.length; i++) {
      expect(board[i].rank).toBeGreaterThanOrEqual(board[i - 1].rank);
    }
    expect(board[0].agentName).toBe('scripted');
    expect(board.at(-1)!.agentName).toBe('random');
    expect(s.leaderboard('brick', { minEpisodes: 40 }).length).toBeLessThan(versions.length);
  });

  it('gives a single-episode version an unbounded interval', () => {
    const s = freshStorage();
    const [a] = addAgent(s, { name: 'a' }).versionIds;
    const [b] = addAgent(s, { name: 'b' }).versionIds;
    s.recordEpisodes([
      { versionId: a, score: 5, frames: 1, seed: 1, outcome: 'OK' },
      { versionId: b, score: 50, frames: 1, seed: 1, outcome: 'OK' },
      { versionId: b, score: 52, frames: 1, seed: 2, outcome: 'OK' },
    ]);
    const board = s.leaderboard('brick');
    expect(board.map((r) => [r.agentName, r.rank, r.summary.ci95 === null])).toEqual([
      ['b', 1, false],
      ['a', 1, true],
    ]);
  });
});

describe('cross-game table and agent details', () => {
  it('uses each entrant’s latest version per game', () => {
    const s = freshStorage();
    const brick = addAgent(s, { name: 'dqn', versions: 2 }).versionIds;
    const pong = addAgent(s, { name: 'dqn', game: PONG }).versionIds;
    const other = addAgent(s, { name: 'ppo', owner: 'bob' }).versionIds;
    const ep = (versionId: number, score: number): NewEpisode => ({
      versionId,
      score,
      frames: 1,
      seed: 0,
      outcome: 'OK',
    });
    s.recordEpisodes([ep(brick[0], 1000), ep(brick[1], 60), ep(pong[0], 3), ep(other[0], 35)]);
    const table = s.crossGameTable();
    expect(table.map((r) => `${r.ownerName}/${r.agentName}`)).toEqual(['alice/dqn', 'bob/ppo']);
    expect(table[0].games.brick).toMatchObject({
      versionId: brick[1],
      mean: 60,
      normalisedMean: 0.5,
    });
    expect(table[0].games.pong).toMatchObject({ mean: 3, normalisedMean: null });
    expect(table[0].medianNormalised).toBe(0.5);
    expect(table[1].meanNormalised).toBeCloseTo(0.25, 12);

    const details = s.getAgentDetails(s.getAgentVersion(brick[0])!.agentId)!;
    expect(details.owner.name).toBe('alice');
    expect(details.versions.map((v) => [v.version, v.stats?.summary.mean])).toEqual([
      [1, 1000],
      [2, 60],
    ]);
    expect(s.getAgentDetails(999)).toBeNull();
  });
});
