/** A table cell's 95% interval: a bar from low to high with a tick at the mean (inline SVG). */
import { type Domain, type IntervalDatum, intervalGeometry } from './interval.ts';

export interface IntervalBarProps extends IntervalDatum {
  domain: Domain;
  width?: number;
  height?: number;
  /** Formats numbers in the tooltip and accessible label. */
  format?: (value: number) => string;
}

const defaultFormat = (value: number) => value.toFixed(1);

export function IntervalBar({
  mean,
  ci95,
  domain,
  width = 140,
  height = 18,
  format = defaultFormat,
}: IntervalBarProps) {
  const g = intervalGeometry({ mean, ci95 }, domain, width);
  const mid = height / 2;
  const label = ci95
    ? `mean ${format(mean)}, 95% interval ${format(ci95[0])} to ${format(ci95[1])}`
    : `mean ${format(mean)}, no interval yet`;
  return (
    <svg
      className="interval-bar"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
    >
      <title>{label}</title>
      <line className="interval-bar__axis" x1={0} x2={width} y1={mid} y2={mid} />
      {g.hasInterval && (
        <rect
          className="interval-bar__range"
          x={g.x1}
          y={mid - 4}
          width={Math.max(1, g.x2 - g.x1)}
          height={8}
          rx={4}
        />
      )}
      <line className="interval-bar__mean" x1={g.xMean} x2={g.xMean} y1={2} y2={height - 2} />
    </svg>
  );
}
