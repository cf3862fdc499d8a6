import { describe, expect, it } from 'vitest';
import { normalisedScore, summarise, summariseMoments } from './statistics.ts';
import { studentTCdf, studentTQuantile } from './studentT.ts';

describe('studentTQuantile', () => {
  // Two-sided 95% critical values from standard t tables.
  const table: Array<[number, number]> = [
    [1, 12.706205],
    [2, 4.302653],
    [3, 3.182446],
    [5, 2.570582],
    [10, 2.228139],
    [30, 2.042272],
    [100, 1.983972],
    [1e6, 1.959966],
  ];
  it.each(table)('t(0.975, %d) = %f', (df, expected) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 5);
  });

  it('inverts the CDF and is symmetric', () => {
    for (const df of [1, 4, 17]) {
      for (const p of [0.6, 0.9, 0.995]) {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 10);
        expect(studentTQuantile(1 - p, df)).toBeCloseTo(-studentTQuantile(p, df), 10);
      }
    }
  });

  it('rejects bad arguments', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, 0)).toThrow(RangeError);
  });
});

describe('summarise', () => {
  it('matches hand-computed values for 1..5', () => {
    // mean 3, sample variance 10/4, std 1.5811388; t(0.975, 4) = 2.7764451; ci = t*std/sqrt(5).
    const s = summarise([5, 1, 4, 2, 3]);
    expect(s).toMatchObject({ n: 5, mean: 3, median: 3, min: 1, max: 5 });
    expect(s.std).toBeCloseTo(1.5811388, 6);
    expect(s.ci95).toBeCloseTo(1.9632432, 6);
  });

  it('matches hand-computed values for 10, 12, 14', () => {
    // variance 4, std 2; t(0.975, 2) = 4.3026527; ci = 4.3026527 * 2 / sqrt(3) = 4.9682754.
    const s = summarise([10, 14, 12]);
    expect(s.std).toBeCloseTo(2, 10);
    expect(s.ci95).toBeCloseTo(4.9682754, 6);
  });

  it('takes the mean of the middle two as the median of an even sample', () => {
    expect(summarise([4, 1, 3, 100]).median).toBe(3.5);
  });

  it('has no spread for one score and rejects empty or non-finite input', () => {
    expect(summarise([7])).toEqual({
      n: 1,
      mean: 7,
      median: 7,
      min: 7,
      max: 7,
      std: null,
      ci95: null,
    });
    expect(() => summarise([])).toThrow(RangeError);
    expect(() => summarise([1, Number.NaN])).toThrow(RangeError);
  });

  it('stays accurate for large scores with a small spread', () => {
    const s = summarise([1e9 + 1, 1e9 + 2, 1e9 + 3]);
    expect(s.std).toBeCloseTo(1, 9);
  });

  it('agrees with summariseMoments given the same moments', () => {
    const s = summarise([2, 4, 4, 4, 5, 5, 7, 9]);
    const m = summariseMoments({ n: 8, mean: 5, m2: 32, min: 2, max: 9, median: 4.5 });
    expect(m.std).toBeCloseTo(s.std!, 12);
    expect(m.ci95).toBeCloseTo(s.ci95!, 12);
  });
});

describe('normalisedScore', () => {
  it('maps random to 0 and scripted to 1', () => {
    const b = { random: 10, scripted: 110 };
    expect(normalisedScore(10, b)).toBe(0);
    expect(normalisedScore(110, b)).toBe(1);
    expect(normalisedScore(210, b)).toBe(2);
    expect(normalisedScore(0, b)).toBeCloseTo(-0.1, 12);
  });

  it('rejects coinciding baselines', () => {
    expect(() => normalisedScore(5, { random: 3, scripted: 3 })).toThrow(RangeError);
  });
});
