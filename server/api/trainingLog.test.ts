import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrainingLog, thin } from './trainingLog.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arena-trainlog-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = async (name: string, lines: string[]) => {
  const file = join(dir, name);
  await writeFile(file, lines.join('\n'));
  return file;
};

describe('readTrainingLog', () => {
  it('keeps the charted series of valid lines and counts the invalid ones', async () => {
    const file = await write('log.jsonl', [
      '{"type":"config","runId":"brick__dqn__1","config":{"lr":0.0001}}',
      '{"type":"episode","step":120,"charts/episodic_return":4,"charts/episodic_length":480}',
      '{"type":"train","step":1000,"charts/mean_return_100":null,"charts/epsilon":0.9}',
      '{"type":"train","step":2000,"charts/mean_return_100":4.5,"charts/epsilon":0.8,"losses/td_loss":0.01}',
      '{"type":"eval","step":2000,"eval/mean":7,"eval/ci95_low":5.5,"eval/ci95_high":8.5,"eval/episodes":10}',
      '{"type":"eval","step":4000,"eval/mean":9,"eval/ci95_low":null,"eval/ci95_high":null}',
      'not json at all',
      '{"type":"train","step":-5,"charts/mean_return_100":1}',
      '{"type":"episode","step":300,"charts/episodic_return":"lots"}',
      '{"type":"eval","step":5000}',
      '',
      '{"type":"episode","step":700,"charts/episodic_return":6}',
    ]);
    expect(await readTrainingLog(file)).toEqual({
      train: [{ step: 2000, meanReturn: 4.5, epsilon: 0.8 }],
      episodes: [
        { step: 120, return: 4 },
        { step: 700, return: 6 },
      ],
      evaluations: [
        { step: 2000, mean: 7, ci95: [5.5, 8.5], episodes: 10 },
        { step: 4000, mean: 9, ci95: null, episodes: null },
      ],
      averageEvaluations: [],
      best: null,
      lines: 11,
      invalidLines: 4,
      thinned: false,
    });
  });

  it('thins long series to the cap, first and last kept', async () => {
    const lines = Array.from(
      { length: 5000 },
      (_, i) => `{"type":"episode","step":${i + 1},"charts/episodic_return":${i % 7}}`,
    );
    const view = await readTrainingLog(await write('long.jsonl', lines), { maxPoints: 100 });
    expect(view?.episodes).toHaveLength(100);
    expect(view?.episodes[0].step).toBe(1);
    expect(view?.episodes[99].step).toBe(5000);
    expect(view?.thinned).toBe(true);
    expect(view?.lines).toBe(5000);
  });

  it("serves the run's best evaluation apart: the last eval line marked best, kept when thinned", async () => {
    const evals = Array.from({ length: 50 }, (_, i) => {
      const step = (i + 1) * 1000;
      const best = i === 2 || i === 17 ? ',"eval/best":true' : i === 30 ? ',"eval/best":false' : '';
      return `{"type":"eval","step":${step},"eval/mean":${i}${best}}`;
    });
    const file = await write('best.jsonl', [
      ...evals,
      '{"type":"eval","step":1,"eval/mean":1,"eval/best":"yes"}',
    ]);
    const view = await readTrainingLog(file, { maxPoints: 10 });
    expect(view?.best).toEqual({ step: 18_000, mean: 17 });
    // Thinning keeps 10 evenly spaced evaluations; step 18,000 is not among them.
    expect(view?.evaluations.map((e) => e.step)).not.toContain(18_000);
    expect(view?.invalidLines).toBe(1);
    const unmarked = await write('unmarked.jsonl', evals.slice(0, 2));
    expect((await readTrainingLog(unmarked))?.best).toBeNull();
  });

  it("serves a run's weight-average evaluations from the same eval lines", async () => {
    const file = await write('average.jsonl', [
      '{"type":"eval","step":1000,"eval/mean":3,"eval/average/mean":4,"eval/average/ci95_low":2,"eval/average/ci95_high":6,"eval/average/episodes":5}',
      '{"type":"eval","step":2000,"eval/mean":5,"eval/average/mean":8}',
      '{"type":"eval","step":3000,"eval/mean":6}',
      '{"type":"eval","step":4000,"eval/mean":7,"eval/average/mean":"high"}',
    ]);
    const view = await readTrainingLog(file);
    expect(view?.evaluations.map((e) => e.mean)).toEqual([3, 5, 6]);
    expect(view?.averageEvaluations).toEqual([
      { step: 1000, mean: 4, ci95: [2, 6], episodes: 5 },
      { step: 2000, mean: 8, ci95: null, episodes: null },
    ]);
    expect(view?.invalidLines).toBe(1);
  });

  it('answers null for a missing log', async () => {
    expect(await readTrainingLog(join(dir, 'nope.jsonl'))).toBeNull();
  });

  it('thin picks evenly spaced items', () => {
    expect(thin([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toEqual([1, 5, 9]);
    expect(thin([1, 2], 5)).toEqual([1, 2]);
    expect(thin([1, 2, 3], 1)).toEqual([3]);
  });
});
