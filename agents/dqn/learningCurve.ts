/**
 * The learning curve of a training log as a Vega-Lite spec: evaluation mean with its 95% interval
 * (band) and the training return (mean of the last 100 episodes) against agent steps, with the
 * evaluation whose agent the run kept as its best (`<run>/best`) marked, and the run's weight
 * average's evaluations (`eval/average/mean`, runs with `--average-decay`) as a line of their own. Rendering
 * (Vega -> SVG -> PNG) lives in `arena plot`; this part is pure so it can be tested without them.
 */

export interface CurvePoint {
  step: number;
  value: number;
  low?: number;
  high?: number;
  series:
    | 'evaluation (mean, 95% CI)'
    | 'training return (last 100 episodes)'
    | 'weight-average evaluation (mean)';
  /** The evaluation of the run's best agent: the last one the log marks `eval/best`. */
  best?: true;
}

/** Reads the points of a training-log.jsonl text; malformed lines are skipped. */
export function curvePoints(logText: string): CurvePoint[] {
  const points: CurvePoint[] = [];
  let best: CurvePoint | undefined;
  for (const line of logText.split('\n')) {
    if (!line.trim()) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    const step = entry.step;
    if (typeof step !== 'number') continue;
    if (entry.type === 'eval' && typeof entry['eval/mean'] === 'number') {
      const point: CurvePoint = {
        step,
        value: entry['eval/mean'] as number,
        low: entry['eval/ci95_low'] as number,
        high: entry['eval/ci95_high'] as number,
        series: 'evaluation (mean, 95% CI)',
      };
      points.push(point);
      if (entry['eval/best'] === true) best = point;
      if (typeof entry['eval/average/mean'] === 'number') {
        points.push({
          step,
          value: entry['eval/average/mean'] as number,
          series: 'weight-average evaluation (mean)',
        });
      }
    } else if (entry.type === 'train' && typeof entry['charts/mean_return_100'] === 'number') {
      points.push({
        step,
        value: entry['charts/mean_return_100'] as number,
        series: 'training return (last 100 episodes)',
      });
    }
  }
  if (best) best.best = true;
  return points;
}

export function learningCurveSpec(points: CurvePoint[], title: string): Record<string, unknown> {
  const x = { field: 'step', type: 'quantitative', title: 'agent steps' };
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    legend: { orient: 'bottom', labelLimit: 400, direction: 'vertical' },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 640,
    height: 360,
    background: 'white',
    data: { values: points },
    layer: [
      {
        transform: [{ filter: "datum.series == 'evaluation (mean, 95% CI)'" }],
        mark: { type: 'area', opacity: 0.25 },
        encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color },
      },
      {
        mark: { type: 'line', point: false },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: 'score' }, color },
      },
      {
        transform: [{ filter: 'datum.best === true' }],
        mark: { type: 'point', filled: true, size: 90, shape: 'diamond', color: 'black' },
        encoding: { x, y: { field: 'value', type: 'quantitative' } },
      },
      {
        transform: [{ filter: 'datum.best === true' }],
        mark: { type: 'text', dy: -14, fontWeight: 'bold' },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative' },
          text: { value: 'best agent' },
        },
      },
    ],
  };
}
