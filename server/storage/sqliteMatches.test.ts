import { describe, expect, it } from 'vitest';
import { addAgent, BRICK, freshStorage } from '../../tests/support/storeFixtures.ts';
import { fitBradleyTerry } from '../stats/bradleyTerry.ts';
import type { Game } from './types.ts';

const PONG: Game = { id: 'pong', title: 'Pong', romSha1: 'b'.repeat(40), baselines: null };

describe('matches and ratings', () => {
  it('records matches with their episodes and feeds Bradley–Terry', () => {
    const s = freshStorage();
    const [a] = addAgent(s, { name: 'a' }).versionIds;
    const [b] = addAgent(s, { name: 'b' }).versionIds;
    const [p] = addAgent(s, { name: 'p', game: PONG }).versionIds;
    const replay = {
      romSha1: BRICK.romSha1,
      seed: 3,
      settings: {},
      actions: new Uint8Array([1, 2, 3]),
    };
    const m = s.recordMatch({
      playerA: a,
      playerB: b,
      scoreA: 3,
      scoreB: 1,
      outcome: 'a',
      seed: 3,
      replay,
      episodes: [
        { versionId: a, score: 3, frames: 90, seed: 3, outcome: 'OK' },
        { versionId: b, score: 1, frames: 90, seed: 3, outcome: 'OK' },
      ],
    });
    s.recordMatch({ playerA: b, playerB: a, scoreA: 2, scoreB: 2, outcome: 'draw', seed: 4 });
    expect(s.getMatch(m.id)).toEqual(m);
    expect(s.getReplay(m.replayId!)!.frames).toBe(3);
    expect(s.listEpisodes({ versionId: a })[0].matchId).toBe(m.id);
    expect(s.listMatches({ versionId: a }).map((x) => x.outcome)).toEqual(['draw', 'a']);
    expect(s.listMatches({ gameId: 'pong' })).toEqual([]);
    expect(s.matchResults('brick')).toEqual([
      { a: String(a), b: String(b), outcome: 'a' },
      { a: String(b), b: String(a), outcome: 'draw' },
    ]);
    expect(fitBradleyTerry(s.matchResults('brick'), { anchor: String(b) }).ratings[0].player).toBe(
      String(a),
    );

    expect(() =>
      s.recordMatch({ playerA: a, playerB: p, scoreA: 1, scoreB: 0, outcome: 'a', seed: 1 }),
    ).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    // A bad episode rolls the whole match back.
    const matchesBefore = s.listMatches().length;
    expect(() =>
      s.recordMatch({
        playerA: a,
        playerB: b,
        scoreA: 1,
        scoreB: 0,
        outcome: 'a',
        seed: 9,
        replay,
        episodes: [{ versionId: a, score: 1, frames: 1, seed: 1, outcome: 'OK', jobId: 777 }],
      }),
    ).toThrow();
    expect(s.listMatches().length).toBe(matchesBefore);

    const ratings = s.replaceRatings('brick', [
      { versionId: a, rating: 1100, lower: 1000, upper: 1200, matches: 2 },
      { versionId: b, rating: 1000, lower: 1000, upper: 1000, matches: 2 },
    ]);
    expect(ratings).toHaveLength(2);
    s.replaceRatings('brick', [
      { versionId: b, rating: 1000, lower: 990, upper: 1010, matches: 2 },
    ]);
    expect(s.listRatings('brick').map((r) => r.versionId)).toEqual([b]);
    expect(() =>
      s.replaceRatings('brick', [
        { versionId: a, rating: 1, lower: 0, upper: 2, matches: 1 },
        { versionId: p, rating: 1, lower: 0, upper: 2, matches: 1 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(s.listRatings('brick').map((r) => r.versionId)).toEqual([b]);
  });

  it("keeps each rating row's record and how the table was computed, replaced atomically", () => {
    const s = freshStorage();
    const [a] = addAgent(s, { name: 'a' }).versionIds;
    const [b] = addAgent(s, { name: 'b' }).versionIds;
    expect(s.ratingTable('brick')).toBeNull();
    const table = {
      anchorVersionId: b,
      anchorRating: 1000,
      resamples: 100,
      matches: 3,
      final: false,
    };
    const rows = s.replaceRatings(
      'brick',
      [
        {
          versionId: a,
          rating: 1100,
          lower: 1000,
          upper: 1200,
          matches: 3,
          wins: 2,
          losses: 0,
          draws: 1,
        },
        {
          versionId: b,
          rating: 1000,
          lower: 1000,
          upper: 1000,
          matches: 3,
          wins: 0,
          losses: 2,
          draws: 1,
        },
      ],
      table,
    );
    expect(rows[0]).toMatchObject({ wins: 2, losses: 0, draws: 1 });
    expect(s.ratingTable('brick')).toMatchObject(table);
    s.replaceRatings('brick', s.listRatings('brick'), { ...table, resamples: 1000, final: true });
    expect(s.ratingTable('brick')).toMatchObject({ resamples: 1000, final: true });
    // A bad row leaves both the rows and the description as they were.
    expect(() =>
      s.replaceRatings('brick', [{ versionId: a, rating: 1, lower: 2, upper: 3, matches: 1 }], {
        ...table,
        final: false,
      }),
    ).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(s.ratingTable('brick')).toMatchObject({ final: true });
    expect(s.listRatings('brick').map((r) => r.wins)).toEqual([2, 0]);
  });
});

describe('retried jobs', () => {
  it('records episodes and matches once per (job, players, seed)', async () => {
    const s = freshStorage();
    const [a] = addAgent(s, { name: 'a' }).versionIds;
    const [b] = addAgent(s, { name: 'b' }).versionIds;
    const now = Date.now();
    const jobId = Number(
      s.db
        .prepare(
          `INSERT INTO eval_jobs (queue, state, payload, max_attempts, run_at, created_at, updated_at)
           VALUES ('eval', 'running', '{}', 3, ?, ?, ?) RETURNING id`,
        )
        .pluck()
        .get(now, now, now),
    );
    const replay = { romSha1: BRICK.romSha1, seed: 1, settings: {}, actions: new Uint8Array(4) };
    const first = s.recordEpisodes([
      { versionId: a, score: 10, frames: 5, seed: 1, outcome: 'OK', jobId, replay },
      { versionId: a, score: 20, frames: 5, seed: 2, outcome: 'OK', jobId },
    ]);
    // The retry re-plays seed 2 (different score: the first recording stands) and adds seed 3.
    const retry = s.recordEpisodes([
      { versionId: a, score: 10, frames: 5, seed: 1, outcome: 'OK', jobId, replay },
      { versionId: a, score: 99, frames: 5, seed: 2, outcome: 'OK', jobId },
      { versionId: a, score: 30, frames: 5, seed: 3, outcome: 'OK', jobId },
    ]);
    expect(retry.slice(0, 2)).toEqual(first);
    expect(s.leaderboard('brick')[0].summary).toMatchObject({ n: 3, mean: 20, median: 20 });
    expect(s.db.prepare('SELECT count(*) FROM replays').pluck().get() as number).toBe(1);

    const match = {
      playerA: a,
      playerB: b,
      scoreA: 1,
      scoreB: 0,
      outcome: 'a' as const,
      seed: 8,
      jobId,
    };
    const m1 = s.recordMatch({
      ...match,
      episodes: [{ versionId: b, score: 0, frames: 5, seed: 8, outcome: 'OK', jobId }],
    });
    const m2 = s.recordMatch({
      ...match,
      scoreA: 5,
      episodes: [{ versionId: b, score: 7, frames: 5, seed: 8, outcome: 'OK', jobId }],
    });
    expect(m2).toEqual(m1);
    expect(s.listMatches()).toHaveLength(1);
    expect(s.listEpisodes({ versionId: b }).map((e) => e.score)).toEqual([0]);
    // Without a job there is no key: the same seed may be played again.
    s.recordMatch({ ...match, jobId: null });
    s.recordMatch({ ...match, jobId: null });
    expect(s.listMatches()).toHaveLength(3);
  });
});
