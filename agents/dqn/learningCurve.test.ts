import { describe, expect, it } from 'vitest';
import { curvePoints, learningCurveSpec } from './learningCurve.ts';

describe('learning curve', () => {
  it('reads eval intervals and training returns from a log, skipping the rest', () => {
    const log = [
      JSON.stringify({ type: 'config', config: {} }),
      JSON.stringify({ type: 'train', step: 1000, 'charts/mean_return_100': 2.5 }),
      JSON.stringify({ type: 'train', step: 2000, 'charts/mean_return_100': null }),
      '{ not json',
      JSON.stringify({
        type: 'eval',
        step: 2000,
        'eval/mean': 4,
        'eval/ci95_low': 3,
        'eval/ci95_high': 5,
      }),
      JSON.stringify({ type: 'episode', step: 2100, 'charts/episodic_return': 9 }),
    ].join('\n');
    const points = curvePoints(log);
    expect(points).toEqual([
      { step: 1000, value: 2.5, series: 'training return (last 100 episodes)' },
      { step: 2000, value: 4, low: 3, high: 5, series: 'evaluation (mean, 95% CI)' },
    ]);
    const spec = learningCurveSpec(points, 'brick') as {
      data: { values: unknown[] };
      layer: unknown[];
    };
    expect(spec.data.values).toBe(points);
    expect(spec.layer).toHaveLength(4);
  });

  it("marks the evaluation of the run's best agent: the last one the log marks best", () => {
    const evalLine = (step: number, mean: number, best: boolean) =>
      JSON.stringify({
        type: 'eval',
        step,
        'eval/mean': mean,
        'eval/ci95_low': mean - 1,
        'eval/ci95_high': mean + 1,
        ...(best ? { 'eval/best': true } : {}),
      });
    const points = curvePoints(
      [evalLine(10, 1, true), evalLine(20, 3, true), evalLine(30, 2, false)].join('\n'),
    );
    expect(points.map((p) => [p.step, p.best ?? false])).toEqual([
      [10, false],
      [20, true],
      [30, false],
    ]);
    // A log from before best agents were kept marks nothing.
    expect(curvePoints(evalLine(10, 1, false)).some((p) => p.best)).toBe(false);
  });

  it("draws the run's weight-average evaluations as a series of their own", () => {
    const line = JSON.stringify({
      type: 'eval',
      step: 50,
      'eval/mean': 10,
      'eval/ci95_low': 8,
      'eval/ci95_high': 12,
      'eval/average/mean': 14,
    });
    expect(curvePoints(line)).toEqual([
      { step: 50, value: 10, low: 8, high: 12, series: 'evaluation (mean, 95% CI)' },
      { step: 50, value: 14, series: 'weight-average evaluation (mean)' },
    ]);
  });
});
