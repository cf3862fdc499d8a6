/**
 * Ratings from stored matches: simulated results from known Elo strengths are recovered inside
 * the bootstrap intervals, on the scale where the scripted agent stands at 1000, with each
 * version's record; the final table has 1,000 resamples and says so.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../emulators/rng.ts';
import { addAgent, freshStorage } from '../../tests/support/storeFixtures.ts';
import { BOOTSTRAP_FINAL, BOOTSTRAP_QUICK } from '../stats/bootstrap.ts';
import { refitRatings, tallyResults } from './ratings.ts';

const DUEL = { id: 'duel', title: 'Duel', romSha1: 'd'.repeat(40), baselines: null };

describe('refitRatings', () => {
  it('recovers known strengths within their intervals, anchored on the scripted agent', () => {
    const storage = freshStorage();
    const truth: Record<string, number> = {
      scripted: 1000,
      random: 650,
      'cpu-easy': 820,
      'cpu-hard': 1180,
      'dqn-a': 1080,
      'dqn-b': 930,
    };
    const ids: Record<string, number> = {};
    for (const name of Object.keys(truth)) {
      ids[name] = addAgent(storage, { game: DUEL, name, kind: 'builtin' }).versionIds[0];
    }
    const names = Object.keys(truth);
    const rng = new Rng(2024);
    const count = 3000;
    for (let k = 0; k < count; k++) {
      const a = names[rng.int(names.length)];
      let b = names[rng.int(names.length)];
      while (b === a) b = names[rng.int(names.length)];
      const pA = 1 / (1 + 10 ** ((truth[b] - truth[a]) / 400));
      const aWins = rng.next() < pA;
      storage.recordMatch({
        playerA: ids[a],
        playerB: ids[b],
        scoreA: aWins ? 21 : 10,
        scoreB: aWins ? 10 : 21,
        outcome: aWins ? 'a' : 'b',
        seed: k,
      });
    }

    const quick = refitRatings(storage, 'duel');
    expect(quick).toMatchObject({ resamples: BOOTSTRAP_QUICK, final: false, matches: count });
    const final = refitRatings(storage, 'duel', BOOTSTRAP_FINAL);
    expect(final).toMatchObject({
      resamples: BOOTSTRAP_FINAL,
      final: true,
      matches: count,
      anchorVersionId: ids.scripted,
      anchorRating: 1000,
    });
    const rows = storage.listRatings('duel');
    expect(rows).toHaveLength(names.length);
    const byName = new Map(names.map((n) => [ids[n], n]));
    for (const row of rows) {
      const name = byName.get(row.versionId)!;
      expect(row.lower).toBeLessThanOrEqual(row.rating);
      expect(row.upper).toBeGreaterThanOrEqual(row.rating);
      expect(truth[name], name).toBeGreaterThanOrEqual(row.lower);
      expect(truth[name], name).toBeLessThanOrEqual(row.upper);
      expect(row.wins + row.losses + row.draws).toBe(row.matches);
      if (name === 'scripted')
        expect([row.lower, row.rating, row.upper]).toEqual([1000, 1000, 1000]);
      // ~1,000 matches each: intervals that inform, not just cover.
      else expect(row.upper - row.lower).toBeLessThan(150);
    }
    // Highest rating first, in the true order.
    expect(rows.map((r) => byName.get(r.versionId))).toEqual(
      [...names].sort((x, y) => truth[y] - truth[x]),
    );
    storage.close();
  });

  it('counts wins, losses and draws per player and stores nothing without matches', () => {
    const tally = tallyResults([
      { a: '1', b: '2', outcome: 'a' },
      { a: '2', b: '1', outcome: 'draw' },
      { a: '3', b: '1', outcome: 'a' },
    ]);
    expect(tally.get('1')).toEqual({ matches: 3, wins: 1, losses: 1, draws: 1 });
    expect(tally.get('3')).toEqual({ matches: 1, wins: 1, losses: 0, draws: 0 });
    const storage = freshStorage();
    addAgent(storage, { game: DUEL, name: 'scripted' });
    expect(refitRatings(storage, 'duel')).toBeNull();
    expect(storage.listRatings('duel')).toEqual([]);
  });

  it('anchors on the most-played version when the scripted agent has not played', () => {
    const storage = freshStorage();
    const [x] = addAgent(storage, { game: DUEL, name: 'x' }).versionIds;
    const [y] = addAgent(storage, { game: DUEL, name: 'y' }).versionIds;
    const [z] = addAgent(storage, { game: DUEL, name: 'z' }).versionIds;
    const play = (a: number, b: number, outcome: 'a' | 'b', seed: number) =>
      storage.recordMatch({ playerA: a, playerB: b, scoreA: 1, scoreB: 0, outcome, seed });
    play(x, y, 'a', 1);
    play(y, x, 'a', 2);
    play(y, z, 'a', 3);
    const info = refitRatings(storage, 'duel')!;
    expect(info.anchorVersionId).toBe(y);
    expect(storage.listRatings('duel').find((r) => r.versionId === y)?.rating).toBe(1000);
  });
});
