import { describe, expect, it } from 'vitest';
import { Rng } from '../../emulators/rng.ts';
import { BOOTSTRAP_QUICK, bootstrapRatings } from './bootstrap.ts';
import { fitBradleyTerry, type MatchResult } from './bradleyTerry.ts';

/** Simulates `count` matches between random pairs under the Bradley–Terry model on the Elo scale. */
function simulate(truth: Record<string, number>, count: number, seed: number): MatchResult[] {
  const rng = new Rng(seed);
  const players = Object.keys(truth);
  const results: MatchResult[] = [];
  while (results.length < count) {
    const a = players[rng.int(players.length)];
    const b = players[rng.int(players.length)];
    if (a === b) continue;
    const pA = 1 / (1 + 10 ** ((truth[b] - truth[a]) / 400));
    results.push({ a, b, outcome: rng.next() < pA ? 'a' : 'b' });
  }
  return results;
}

const ratingOf = (ratings: Array<{ player: string; rating: number }>, p: string): number =>
  ratings.find((r) => r.player === p)!.rating;

function repeat(n: number, r: MatchResult): MatchResult[] {
  return Array.from({ length: n }, () => ({ ...r }));
}

describe('fitBradleyTerry', () => {
  it('matches the closed form for two players (draws count half each way)', () => {
    // x wins 2, draws 2, loses 1: 3 points of 5, so R_x - R_y = 400 log10(3 / 2).
    const results = [
      ...repeat(2, { a: 'x', b: 'y', outcome: 'a' }),
      ...repeat(2, { a: 'y', b: 'x', outcome: 'draw' }),
      { a: 'y', b: 'x', outcome: 'a' } as MatchResult,
    ];
    const fit = fitBradleyTerry(results, { anchor: 'y', prior: 0 });
    expect(ratingOf(fit.ratings, 'y')).toBe(1000);
    expect(ratingOf(fit.ratings, 'x')).toBeCloseTo(1000 + 400 * Math.log10(1.5), 6);
    expect(fit.ratings.map((r) => r.player)).toEqual(['x', 'y']);
    expect(fit.ratings[0].matches).toBe(5);
  });

  it('rates players with only draws equally', () => {
    const fit = fitBradleyTerry(repeat(4, { a: 'p', b: 'q', outcome: 'draw' }), {
      anchor: 'p',
      prior: 0,
    });
    expect(ratingOf(fit.ratings, 'q')).toBeCloseTo(1000, 9);
  });

  it('keeps a perfect record finite with the prior and throws without it', () => {
    const results = repeat(5, { a: 'w', b: 'l', outcome: 'a' });
    const fit = fitBradleyTerry(results, { anchor: 'l' });
    const w = ratingOf(fit.ratings, 'w');
    expect(Number.isFinite(w)).toBe(true);
    expect(w).toBeGreaterThan(1400);
    expect(() => fitBradleyTerry(results, { anchor: 'l', prior: 0 })).toThrow(RangeError);
  });

  it('rejects an absent anchor and malformed results', () => {
    const ok: MatchResult[] = [{ a: 'a1', b: 'b1', outcome: 'draw' }];
    expect(() => fitBradleyTerry(ok, { anchor: 'zz' })).toThrow(/anchor/);
    expect(() => fitBradleyTerry([{ a: 'a1', b: 'a1', outcome: 'a' }], { anchor: 'a1' })).toThrow(
      RangeError,
    );
  });

  it('recovers known strengths from simulated results', () => {
    const truth = { anchor: 1000, p1: 1150, p2: 900, p3: 1300, p4: 800, p5: 1050 };
    const fit = fitBradleyTerry(simulate(truth, 6000, 7), { anchor: 'anchor' });
    for (const [p, r] of Object.entries(truth)) {
      // ~2,000 games per player: standard errors are ~15 points.
      expect(Math.abs(ratingOf(fit.ratings, p) - r)).toBeLessThan(50);
    }
    expect(fit.ratings.map((r) => r.player)).toEqual(['p3', 'p1', 'p5', 'anchor', 'p2', 'p4']);
  });
});

describe('bootstrapRatings', () => {
  const truth = { anchor: 1000, p1: 1120, p2: 880, p3: 1250, p4: 1000 };
  const results = simulate(truth, 2000, 42);

  it('covers the true strengths with its 95% intervals', () => {
    const boot = bootstrapRatings(results, { anchor: 'anchor', resamples: 200, seed: 1 });
    expect(boot.resamples).toBe(200);
    for (const r of boot.ratings) {
      const t = truth[r.player as keyof typeof truth];
      expect(r.lower).toBeLessThanOrEqual(r.rating);
      expect(r.upper).toBeGreaterThanOrEqual(r.rating);
      expect(t).toBeGreaterThanOrEqual(r.lower);
      expect(t).toBeLessThanOrEqual(r.upper);
      if (r.player !== 'anchor') {
        // Intervals are informative, not just wide: ~1,600 games per player.
        expect(r.upper - r.lower).toBeGreaterThan(20);
        expect(r.upper - r.lower).toBeLessThan(200);
      }
    }
    const anchor = boot.ratings.find((r) => r.player === 'anchor')!;
    expect([anchor.lower, anchor.rating, anchor.upper]).toEqual([1000, 1000, 1000]);
  });

  it('is reproducible from its seed', () => {
    const opts = { anchor: 'anchor', resamples: BOOTSTRAP_QUICK };
    const a = bootstrapRatings(results, { ...opts, seed: 3 });
    const b = bootstrapRatings(results, { ...opts, seed: 3 });
    const c = bootstrapRatings(results, { ...opts, seed: 4 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('insists on at least 100 resamples', () => {
    expect(() => bootstrapRatings(results, { anchor: 'anchor', resamples: 50, seed: 1 })).toThrow(
      RangeError,
    );
  });
});
