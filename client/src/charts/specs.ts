/**
 * The dashboard's charts as vega-lite specs, built from plain rows. Pure functions, so a spec can
 * be checked without a browser.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Episode, Match, TrainingLogResponse } from '../api.ts';

/** Few distinct whole-number scores are drawn one bar per score; others in up to 20 bins. */
const MAX_DISTINCT_BARS = 24;

/** Distribution of episode scores. */
export function scoreHistogramSpec(scores: readonly number[]): TopLevelSpec {
  const count = {
    aggregate: 'count',
    type: 'quantitative',
    title: 'episodes',
    axis: { tickMinStep: 1 },
  } as const;
  const mark = { type: 'bar', cornerRadiusTopLeft: 3, cornerRadiusTopRight: 3 } as const;
  const values = scores.map((score) => ({ score }));
  if (scores.every(Number.isInteger) && new Set(scores).size <= MAX_DISTINCT_BARS) {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values },
      mark,
      encoding: {
        x: { field: 'score', type: 'ordinal', title: 'score', axis: { labelAngle: 0 } },
        y: count,
        tooltip: [
          { field: 'score', type: 'ordinal' },
          { ...count, title: 'episodes' },
        ],
      },
    };
  }
  const bin = { maxbins: 20 };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    mark,
    encoding: {
      x: { field: 'score', type: 'quantitative', bin, title: 'score' },
      y: count,
      tooltip: [{ field: 'score', bin, type: 'quantitative', title: 'score' }, { ...count }],
    },
  };
}

/** Score of each episode in the order played, with the running mean. */
export function scoreOverEpisodesSpec(episodes: readonly Episode[]): TopLevelSpec {
  const ordered = [...episodes].sort((a, b) => a.id - b.id);
  let sum = 0;
  const values = ordered.map((e, i) => {
    sum += e.score;
    return { episode: i + 1, score: e.score, mean: sum / (i + 1), outcome: e.outcome };
  });
  const x = {
    field: 'episode',
    type: 'quantitative',
    title: 'episode',
    axis: { tickMinStep: 1 },
    scale: { zero: false },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 50 },
        encoding: {
          x,
          y: { field: 'score', type: 'quantitative', title: 'score' },
          tooltip: [
            { field: 'episode', type: 'quantitative' },
            { field: 'score', type: 'quantitative' },
            { field: 'outcome', type: 'nominal' },
          ],
        },
      },
      {
        mark: { type: 'line', strokeDash: [4, 3], color: 'gray' },
        encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'score' } },
      },
    ],
  };
}

const SERIES = {
  episode: 'training episode return',
  train: 'training return (mean of 100)',
  evaluation: 'evaluation mean (95% interval)',
  average: 'weight-average evaluation',
} as const;

/** One row of the training-curve chart; `low`/`high` only on evaluations with an interval. */
export interface TrainingPoint {
  step: number;
  value: number;
  series: (typeof SERIES)[keyof typeof SERIES];
  low?: number;
  high?: number;
  /** On the evaluation of the agent the run kept as its best. */
  best?: true;
}

/**
 * The chart's rows from a served training log. The best evaluation is served apart (thinning may
 * have dropped its row); it marks its row, or joins the evaluations when the row is gone.
 */
export function trainingPoints(log: TrainingLogResponse): TrainingPoint[] {
  const evaluations: TrainingPoint[] = log.evaluations.map((e) => ({
    step: e.step,
    value: e.mean,
    series: SERIES.evaluation,
    ...(e.ci95 ? { low: e.ci95[0], high: e.ci95[1] } : {}),
    ...(log.best?.step === e.step ? { best: true as const } : {}),
  }));
  if (log.best && !evaluations.some((e) => e.best)) {
    const { step, mean } = log.best;
    const at = evaluations.findIndex((e) => e.step > step);
    const row = { step, value: mean, series: SERIES.evaluation, best: true as const };
    evaluations.splice(at < 0 ? evaluations.length : at, 0, row);
  }
  return [
    ...log.episodes.map((e) => ({ step: e.step, value: e.return, series: SERIES.episode })),
    ...log.train.map((t) => ({ step: t.step, value: t.meanReturn, series: SERIES.train })),
    ...evaluations,
    ...log.averageEvaluations.map((e) => ({
      step: e.step,
      value: e.mean,
      series: SERIES.average,
    })),
  ];
}

/**
 * The training curve: each training episode's return as faint points, the mean of the last 100
 * as a line, and the periodic greedy evaluations as points on a line with their 95% intervals
 * as vertical bars, all over agent steps. The evaluation whose agent the run kept as its best
 * is a labelled diamond. A run's weight-average evaluations, where it kept one, are a line of
 * their own (in the legend only then).
 */
export function trainingCurveSpec(points: readonly TrainingPoint[]): TopLevelSpec {
  const hasAverage = points.some((p) => p.series === SERIES.average);
  const x = { field: 'step', type: 'quantitative', title: 'agent steps' } as const;
  const y = { field: 'value', type: 'quantitative', title: 'score' } as const;
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: {
      domain: [
        SERIES.episode,
        SERIES.train,
        SERIES.evaluation,
        ...(hasAverage ? [SERIES.average] : []),
      ],
      range: ['#9aa5b1', '#4c78a8', '#f58518', '#2f9e44'],
    },
    legend: { orient: 'bottom', direction: 'vertical', labelLimit: 400 },
  } as const;
  const only = (series: string) => ({ filter: { field: 'series', equal: series } });
  const tooltip = [
    { field: 'series', type: 'nominal' },
    { field: 'step', type: 'quantitative', format: ',' },
    { field: 'value', type: 'quantitative', format: '.1f', title: 'score' },
  ] as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: [...points] },
    encoding: { x, y, color },
    layer: [
      {
        transform: [only(SERIES.episode)],
        mark: { type: 'point', filled: true, size: 14, opacity: 0.35 },
        encoding: { tooltip: [...tooltip] },
      },
      {
        transform: [only(SERIES.train)],
        mark: { type: 'line', interpolate: 'monotone', strokeWidth: 2 },
      },
      {
        transform: [only(SERIES.evaluation), { filter: 'isValid(datum.low)' }],
        mark: { type: 'rule', strokeWidth: 2, opacity: 0.6 },
        encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      },
      {
        transform: [only(SERIES.evaluation)],
        mark: { type: 'line', point: { filled: true, size: 50 }, strokeDash: [4, 3] },
        encoding: {
          tooltip: [
            ...tooltip,
            { field: 'low', type: 'quantitative', format: '.1f', title: '95% low' },
            { field: 'high', type: 'quantitative', format: '.1f', title: '95% high' },
          ],
        },
      },
      {
        transform: [only(SERIES.average)],
        mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 },
        encoding: { tooltip: [...tooltip] },
      },
      {
        transform: [{ filter: 'datum.best === true' }],
        mark: { type: 'point', shape: 'diamond', filled: true, size: 160, opacity: 1 },
        encoding: {
          color: { value: '#1f2933' },
          tooltip: [
            { field: 'step', type: 'quantitative', format: ',', title: 'best agent at step' },
            { field: 'value', type: 'quantitative', format: '.1f', title: 'its evaluation' },
          ],
        },
      },
      {
        transform: [{ filter: 'datum.best === true' }],
        mark: { type: 'text', dy: -16, fontWeight: 'bold' },
        encoding: { color: { value: '#1f2933' }, text: { value: 'best agent' } },
      },
    ],
  };
}

export interface WinRateCell {
  player: string;
  opponent: string;
  /** Wins plus half the draws, over matches played; null when they have not met. */
  winRate: number;
  matches: number;
}

/**
 * Pairwise win rates from matches: for each ordered pair (player, opponent) that met, the share
 * of their matches the player won, a draw counting half. `nameOf` names a version id.
 */
export function pairwiseWinRates(
  matches: readonly Match[],
  nameOf: (versionId: number, match: Match, side: 'a' | 'b') => string,
): WinRateCell[] {
  const tally = new Map<string, { player: string; opponent: string; points: number; n: number }>();
  const add = (player: string, opponent: string, points: number) => {
    const key = `${player}\u0000${opponent}`;
    const cell = tally.get(key) ?? { player, opponent, points: 0, n: 0 };
    cell.points += points;
    cell.n += 1;
    tally.set(key, cell);
  };
  for (const m of matches) {
    const a = nameOf(m.playerA, m, 'a');
    const b = nameOf(m.playerB, m, 'b');
    const pointsA = m.outcome === 'a' ? 1 : m.outcome === 'draw' ? 0.5 : 0;
    add(a, b, pointsA);
    add(b, a, 1 - pointsA);
  }
  return [...tally.values()].map((c) => ({
    player: c.player,
    opponent: c.opponent,
    winRate: c.points / c.n,
    matches: c.n,
  }));
}

export function winRateHeatmapSpec(cells: readonly WinRateCell[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: [...cells] },
    encoding: {
      x: { field: 'opponent', type: 'nominal', title: 'opponent', axis: { labelAngle: -30 } },
      y: { field: 'player', type: 'nominal', title: 'player' },
    },
    layer: [
      {
        mark: { type: 'rect', cornerRadius: 3 },
        encoding: {
          color: {
            field: 'winRate',
            type: 'quantitative',
            title: 'win rate',
            scale: { domain: [0, 1], scheme: 'redblue' },
          },
          tooltip: [
            { field: 'player', type: 'nominal' },
            { field: 'opponent', type: 'nominal' },
            { field: 'winRate', type: 'quantitative', format: '.0%', title: 'win rate' },
            { field: 'matches', type: 'quantitative' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 11, fontWeight: 'bold', color: 'black' },
        encoding: { text: { field: 'winRate', type: 'quantitative', format: '.0%' } },
      },
    ],
  };
}
