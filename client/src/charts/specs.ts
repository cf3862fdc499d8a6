/**
 * The dashboard's charts as vega-lite specs, built from plain rows. Pure functions, so a spec can
 * be checked without a browser.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Episode, Match } from '../api.ts';

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

export interface TrainingPoint {
  step: number;
  value: number;
  series: string;
}

/**
 * Points of a training-log.jsonl: `train` lines' `charts/mean_return_100` and `eval` lines'
 * `eval/mean`, by agent step. Lines that are not JSON or lack those fields are skipped.
 */
export function parseTrainingLog(text: string): TrainingPoint[] {
  const points: TrainingPoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const step = entry.step;
    if (typeof step !== 'number') continue;
    const train = entry['charts/mean_return_100'];
    const evalMean = entry['eval/mean'];
    if (entry.type === 'train' && typeof train === 'number') {
      points.push({ step, value: train, series: 'training return (mean of 100)' });
    } else if (entry.type === 'eval' && typeof evalMean === 'number') {
      points.push({ step, value: evalMean, series: 'evaluation mean' });
    }
  }
  return points;
}

export function trainingCurveSpec(points: readonly TrainingPoint[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: [...points] },
    mark: { type: 'line', interpolate: 'monotone' },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'agent steps' },
      y: { field: 'value', type: 'quantitative', title: 'score' },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
      tooltip: [
        { field: 'series', type: 'nominal' },
        { field: 'step', type: 'quantitative' },
        { field: 'value', type: 'quantitative', format: '.1f' },
      ],
    },
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
