// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { IntervalBar } from './IntervalBar.tsx';
import { intervalGeometry, sharedDomain } from './interval.ts';

afterEach(cleanup);

describe('interval bars', () => {
  const rows = [
    { mean: 50, ci95: [40, 60] as const },
    { mean: 20, ci95: [0, 40] as const },
    { mean: 90, ci95: null },
  ];

  it('puts every row on one domain from the lowest bound to the highest (means without intervals)', () => {
    expect(sharedDomain(rows, 0)).toEqual([0, 90]);
    const [low, high] = sharedDomain(rows);
    expect(low).toBeCloseTo(-3.6);
    expect(high).toBeCloseTo(93.6);
  });

  it('gives a degenerate set a unit-wide domain and an empty one [0, 1]', () => {
    expect(sharedDomain([{ mean: 5, ci95: null }])).toEqual([4.5, 5.5]);
    expect(sharedDomain([])).toEqual([0, 1]);
  });

  it('computes positions from mean ± ci95 on the shared scale', () => {
    const domain = [0, 100] as const;
    expect(intervalGeometry({ mean: 50, ci95: [40, 60] }, domain, 200)).toEqual({
      x1: 80,
      x2: 120,
      xMean: 100,
      hasInterval: true,
    });
    // Same width on the same scale whatever the row: comparable by eye.
    const a = intervalGeometry({ mean: 10, ci95: [5, 15] }, domain, 200);
    const b = intervalGeometry({ mean: 80, ci95: [75, 85] }, domain, 200);
    expect(a.x2 - a.x1).toBeCloseTo(b.x2 - b.x1);
    expect(intervalGeometry({ mean: 30, ci95: null }, domain, 200)).toMatchObject({
      x1: 60,
      x2: 60,
      xMean: 60,
      hasInterval: false,
    });
  });

  it('clamps intervals that reach past the domain', () => {
    expect(intervalGeometry({ mean: 50, ci95: [-20, 130] }, [0, 100], 100)).toMatchObject({
      x1: 0,
      x2: 100,
    });
  });

  it('draws the range and the mean tick at those positions', () => {
    const { container } = render(
      <IntervalBar mean={50} ci95={[40, 60]} domain={[0, 100]} width={200} />,
    );
    const range = container.querySelector('.interval-bar__range');
    const mean = container.querySelector('.interval-bar__mean');
    expect(range?.getAttribute('x')).toBe('80');
    expect(range?.getAttribute('width')).toBe('40');
    expect(mean?.getAttribute('x1')).toBe('100');
    expect(container.querySelector('svg')?.getAttribute('aria-label')).toBe(
      'mean 50.0, 95% interval 40.0 to 60.0',
    );
  });

  it('draws only the mean when there is no interval yet', () => {
    const { container } = render(<IntervalBar mean={3} ci95={null} domain={[0, 10]} width={100} />);
    expect(container.querySelector('.interval-bar__range')).toBeNull();
    expect(container.querySelector('.interval-bar__mean')?.getAttribute('x1')).toBe('30');
  });
});
