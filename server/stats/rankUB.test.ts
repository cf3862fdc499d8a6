import { describe, expect, it } from 'vitest';
import { rankUB } from './rankUB.ts';

describe('rankUB', () => {
  it('gives statistically tied entries the same rank', () => {
    const ranks = rankUB([
      { lower: 90, upper: 110 }, // A: nothing wholly above → 1
      { lower: 85, upper: 105 }, // B: overlaps A → 1
      { lower: 60, upper: 80 }, // C: A and B lie wholly above → 3
      { lower: 70, upper: 88 }, // D: only A (lower 90 > 88) above → 2
      { lower: 10, upper: 20 }, // E: all four above → 5
    ]);
    expect(ranks).toEqual([1, 1, 3, 2, 5]);
  });

  it('uses a strict comparison: touching intervals are tied', () => {
    expect(
      rankUB([
        { lower: 5, upper: 10 },
        { lower: 0, upper: 5 },
      ]),
    ).toEqual([1, 1]);
  });

  it('treats an unbounded interval as tied with everything', () => {
    const ranks = rankUB([
      { lower: 100, upper: 120 },
      { lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY },
      { lower: 0, upper: 10 },
    ]);
    expect(ranks).toEqual([1, 1, 2]);
  });

  it('ranks distinct point estimates like an ordinary ranking', () => {
    expect(rankUB([3, 1, 2].map((x) => ({ lower: x, upper: x })))).toEqual([1, 3, 2]);
  });

  it('handles no entries and rejects inverted intervals', () => {
    expect(rankUB([])).toEqual([]);
    expect(() => rankUB([{ lower: 2, upper: 1 }])).toThrow(RangeError);
  });
});
