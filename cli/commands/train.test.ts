import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAddon } from '../../agents/backend/native.ts';
import { runCli } from '../../tests/support/cli.ts';

const runsDir = mkdtempSync(join(tmpdir(), 'arena-train-cli-'));
afterAll(() => rmSync(runsDir, { recursive: true, force: true }));

/** A real but tiny run: two worker envs, a few dozen steps, a handful of updates. */
const tinyRun = (...extra: string[]) =>
  runCli([
    'train',
    '--game',
    'brick',
    '--net',
    'small',
    '--num-envs',
    '2',
    '--steps',
    '48',
    '--learning-starts',
    '24',
    '--buffer-size',
    '64',
    '--batch-size',
    '4',
    '--eval-every',
    '0',
    '--checkpoint-every',
    '0',
    '--no-progress',
    '--runs-dir',
    runsDir,
    ...extra,
  ]);

// The native backend is part of a CI install; without it the backend line names plain cpu.
const native = loadAddon().addon !== null || process.env.CI === 'true';

describe('arena train', () => {
  it('refuses a thread count that is not a positive integer', () => {
    for (const bad of ['0', '1.5', '-2']) {
      const result = tinyRun('--threads', bad);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`--threads must be a positive integer, got ${bad}`);
    }
    expect(readdirSync(runsDir)).toEqual([]);
  });

  it.runIf(native)(
    'gives the learner one math thread beside env workers unless told otherwise',
    () => {
      const byDefault = tinyRun();
      expect(byDefault.status, byDefault.stderr).toBe(0);
      expect(byDefault.stderr).toMatch(/\[tfjs\] backend: fast-cpu \(1 threads[,)]/);
      expect(byDefault.stdout).toMatch(/48 steps, 6 updates/);
      const two = tinyRun('--threads', '2');
      expect(two.status, two.stderr).toBe(0);
      expect(two.stderr).toMatch(/\[tfjs\] backend: fast-cpu \(2 threads[,)]/);
      // A resumed run takes its env count (2, so one thread) from its checkpoint, not the flags.
      const runId = /^run (\S+):/m.exec(byDefault.stdout)?.[1];
      expect(runId).toBeDefined();
      const resumed = runCli([
        'train',
        '--resume',
        join(runsDir, runId as string),
        '--steps',
        '64',
        '--no-progress',
      ]);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/\[tfjs\] backend: fast-cpu \(1 threads[,)]/);
      expect(resumed.stdout).toMatch(/64 steps, 10 updates/);
    },
    120_000,
  );

  it('keeps the best evaluated agent in <run>/best, a valid agent folder', () => {
    const result = tinyRun('--eval-every', '24', '--eval-episodes', '1');
    expect(result.status, result.stderr).toBe(0);
    const line = /^best agent: (\S+) \(step (24|48), validation mean (-?[\d.]+)\)$/m.exec(
      result.stdout,
    );
    expect(line, result.stdout).not.toBeNull();
    const [, bestDir, step, mean] = line as RegExpExecArray;
    const checked = runCli(['agent', 'check', bestDir]);
    expect(checked.status, checked.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(bestDir, 'agent.json'), 'utf8'));
    expect(meta.training.steps).toBe(Number(step));
    expect(meta.training.selection).toMatchObject({ evalStep: Number(step), evalEpisodes: 1 });
    expect(meta.training.selection.evalMean).toBeCloseTo(Number(mean), 1);
  }, 120_000);
});

describe('arena train --recipe', () => {
  it("starts from a recipe's options, which the flags beside it override", () => {
    // tinyRun's flags shrink the run; everything else comes from agents/dqn/recipes/brick.json.
    const recipe = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../agents/dqn/recipes/brick.json'), 'utf8'),
    );
    const result = tinyRun('--recipe', 'brick', '--learning-rate', '0.001');
    expect(result.status, result.stderr).toBe(0);
    const agentDir = /^agent: (\S+)$/m.exec(result.stdout)?.[1];
    expect(agentDir, result.stdout).toBeDefined();
    const { config } = JSON.parse(
      readFileSync(join(agentDir as string, 'agent.json'), 'utf8'),
    ).training;
    // From the recipe.
    for (const key of ['nStep', 'munchausen', 'targetEpsilon', 'trainFrequency', 'seed']) {
      expect(config[key], key).toEqual(recipe[key]);
    }
    expect(config.finalLearningRate).toBe(recipe.finalLearningRate);
    // From the flags.
    expect(config.learningRate).toBe(0.001);
    expect(config.learningRate).not.toBe(recipe.learningRate);
    expect(config.numEnvs).toBe(2);
    expect(config.bufferSize).toBe(64);
    expect(config.totalSteps).toBe(48);
  }, 120_000);

  it('refuses an unknown recipe and a recipe with --resume', () => {
    const unknown = tinyRun('--recipe', 'no-such-recipe');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('no recipe named "no-such-recipe"; known: brick, duel');
    const resumed = runCli(['train', '--recipe', 'brick', '--resume', runsDir, '--no-progress']);
    expect(resumed.status).not.toBe(0);
    expect(resumed.stderr).toContain('--recipe cannot be combined with --resume');
  });
});

describe('arena agent export', () => {
  it("writes a run's checkpoint as a valid agent folder and names the kept steps otherwise", () => {
    const run = tinyRun('--checkpoint-every', '24');
    expect(run.status, run.stderr).toBe(0);
    const runDir = join(runsDir, /^run (\S+):/m.exec(run.stdout)?.[1] as string);
    const out = join(runsDir, 'exported');
    const exported = runCli(['agent', 'export', runDir, '--step', '24', '--out', out]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`agent: ${out} (step 24)`);
    const checked = runCli(['agent', 'check', out]);
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('24 steps, 96 frames');
    const missing = runCli(['agent', 'export', runDir, '--step', '7', '--out', out]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain(`no checkpoint at step 7 in ${runDir}; kept: 24, 48`);
  }, 120_000);

  it("writes a run's weight average with --average, as the run wrote it", () => {
    const run = tinyRun('--average-decay', '0.99');
    expect(run.status, run.stderr).toBe(0);
    const averageDir = /^weight-averaged agent: (\S+)$/m.exec(run.stdout)?.[1] as string;
    expect(averageDir, run.stdout).toBeDefined();
    const runDir = join(runsDir, /^run (\S+):/m.exec(run.stdout)?.[1] as string);
    const out = join(runsDir, 'exported-average');
    const exported = runCli(['agent', 'export', runDir, '--average', '--out', out]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(readFileSync(join(out, 'weights.bin'))).toEqual(
      readFileSync(join(averageDir, 'weights.bin')),
    );
    const meta = JSON.parse(readFileSync(join(out, 'agent.json'), 'utf8'));
    expect(meta.training.weightAverage).toEqual({ decay: 0.99, updates: 6 });
    expect(runCli(['agent', 'check', out]).status).toBe(0);
  }, 120_000);
});
