import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import type { Match, MatchPlayer, TrainingLogResponse } from '../api.ts';
import {
  pairwiseWinRates,
  scoreHistogramSpec,
  scoreOverEpisodesSpec,
  trainingCurveSpec,
  trainingPoints,
} from './specs.ts';

const unnamed = (versionId: number): MatchPlayer => ({
  versionId,
  version: null,
  agentId: null,
  agentName: null,
  owner: null,
  kind: null,
  computerLevel: null,
});

const match = (playerA: number, playerB: number, outcome: Match['outcome']): Match => ({
  id: playerA * 100 + playerB,
  gameId: 'duel',
  playerA,
  playerB,
  nameA: null,
  nameB: null,
  players: [unnamed(playerA), unnamed(playerB)],
  scoreA: 0,
  scoreB: 0,
  outcome,
  seed: 0,
  replayId: null,
  replayUrl: null,
  createdAt: 0,
});

describe('chart data', () => {
  it('counts pairwise win rates from both sides, a draw as half', () => {
    const cells = pairwiseWinRates(
      [match(1, 2, 'a'), match(2, 1, 'draw'), match(1, 2, 'b'), match(1, 3, 'a')],
      (id) => `v${id}`,
    );
    const rate = (p: string, o: string) => cells.find((c) => c.player === p && c.opponent === o);
    expect(rate('v1', 'v2')).toEqual({ player: 'v1', opponent: 'v2', winRate: 0.5, matches: 3 });
    expect(rate('v2', 'v1')?.winRate).toBe(0.5);
    expect(rate('v1', 'v3')?.winRate).toBe(1);
    expect(rate('v3', 'v1')?.winRate).toBe(0);
    expect(rate('v2', 'v3')).toBeUndefined();
  });

  it('turns a served training log into chart rows, intervals only where the log has them', () => {
    const log: TrainingLogResponse = {
      versionId: 1,
      train: [{ step: 1000, meanReturn: 3.5, epsilon: 0.5 }],
      episodes: [{ step: 900, return: 4 }],
      evaluations: [
        { step: 2000, mean: 12, ci95: [10, 14], episodes: 10 },
        { step: 4000, mean: 15, ci95: null, episodes: null },
      ],
      averageEvaluations: [],
      best: null,
      lines: 5,
      invalidLines: 0,
      thinned: false,
    };
    expect(trainingPoints(log)).toEqual([
      { step: 900, value: 4, series: 'training episode return' },
      { step: 1000, value: 3.5, series: 'training return (mean of 100)' },
      { step: 2000, value: 12, series: 'evaluation mean (95% interval)', low: 10, high: 14 },
      { step: 4000, value: 15, series: 'evaluation mean (95% interval)' },
    ]);
  });

  it("marks the run's best evaluation, adding its row where thinning dropped it", () => {
    const log: TrainingLogResponse = {
      versionId: 1,
      train: [],
      episodes: [],
      evaluations: [
        { step: 2000, mean: 12, ci95: null, episodes: 5 },
        { step: 6000, mean: 9, ci95: null, episodes: 5 },
      ],
      averageEvaluations: [],
      best: { step: 2000, mean: 12 },
      lines: 2,
      invalidLines: 0,
      thinned: false,
    };
    const bestRows = (l: TrainingLogResponse) => trainingPoints(l).filter((p) => p.best);
    expect(bestRows(log)).toEqual([
      { step: 2000, value: 12, series: 'evaluation mean (95% interval)', best: true },
    ]);
    expect(trainingPoints(log)).toHaveLength(2);
    const thinned = { ...log, best: { step: 4000, mean: 15 }, thinned: true };
    expect(trainingPoints(thinned).map((p) => [p.step, p.best ?? false])).toEqual([
      [2000, false],
      [4000, true],
      [6000, false],
    ]);
    expect(bestRows({ ...log, best: null })).toEqual([]);
  });

  it('draws the training curve as a valid vega-lite spec: points, a line, intervals', () => {
    const spec = trainingCurveSpec([
      { step: 900, value: 4, series: 'training episode return' },
      { step: 1000, value: 3.5, series: 'training return (mean of 100)' },
      { step: 2000, value: 12, series: 'evaluation mean (95% interval)', low: 10, high: 14 },
    ]);
    const layers = (spec as { layer: { mark: { type: string } }[] }).layer;
    expect(layers.map((l) => l.mark.type)).toEqual([
      'point',
      'line',
      'rule',
      'line',
      'line',
      'point',
      'text',
    ]);
    const vega = compile(spec).spec;
    expect(vega.marks?.length).toBeGreaterThanOrEqual(4);
    // Without weight-average rows the legend does not name that series.
    const domain = (s: unknown) =>
      (s as { encoding: { color: { scale: { domain: string[] } } } }).encoding.color.scale.domain;
    expect(domain(spec)).not.toContain('weight-average evaluation');
  });

  it("draws a run's weight-average evaluations as a line of their own", () => {
    const log: TrainingLogResponse = {
      versionId: 1,
      train: [],
      episodes: [],
      evaluations: [{ step: 2000, mean: 12, ci95: [10, 14], episodes: 5 }],
      averageEvaluations: [{ step: 2000, mean: 17, ci95: [15, 19], episodes: 5 }],
      best: null,
      lines: 1,
      invalidLines: 0,
      thinned: false,
    };
    const points = trainingPoints(log);
    expect(points).toEqual([
      { step: 2000, value: 12, series: 'evaluation mean (95% interval)', low: 10, high: 14 },
      { step: 2000, value: 17, series: 'weight-average evaluation' },
    ]);
    const spec = trainingCurveSpec(points);
    const layers = (spec as { layer: { transform?: { filter: unknown }[] }[] }).layer;
    expect(
      layers.some(
        (l) =>
          JSON.stringify(l.transform?.[0]) ===
          JSON.stringify({ filter: { field: 'series', equal: 'weight-average evaluation' } }),
      ),
    ).toBe(true);
    const scale = (spec as { encoding: { color: { scale: { domain: string[] } } } }).encoding.color
      .scale;
    expect(scale.domain).toContain('weight-average evaluation');
    const vega = compile(spec).spec;
    const values = (vega.data ?? []).flatMap(
      (d) => ((d as { values?: { series?: string }[] }).values ?? []) as { series?: string }[],
    );
    expect(values.filter((v) => v.series === 'weight-average evaluation')).toHaveLength(1);
  });

  it('numbers episodes in the order played with a running mean', () => {
    const spec = scoreOverEpisodesSpec([
      { id: 9, score: 30, outcome: 'OK' },
      { id: 4, score: 10, outcome: 'OK' },
    ] as never);
    expect((spec as { data: { values: unknown[] } }).data.values).toEqual([
      { episode: 1, score: 10, mean: 10, outcome: 'OK' },
      { episode: 2, score: 30, mean: 20, outcome: 'OK' },
    ]);
  });
});

describe('score histogram', () => {
  const encodingOf = (spec: unknown) =>
    (spec as { encoding: { x: Record<string, unknown> } }).encoding.x;
  it('draws one bar per score when there are few whole-number scores', () => {
    expect(encodingOf(scoreHistogramSpec([3, 3, 5, 9])).type).toBe('ordinal');
  });
  it('bins many or fractional scores', () => {
    expect(encodingOf(scoreHistogramSpec([0.5, 1.5])).bin).toEqual({ maxbins: 20 });
    expect(
      encodingOf(scoreHistogramSpec(Array.from({ length: 40 }, (_, i) => i))).bin,
    ).toBeTruthy();
  });
});
