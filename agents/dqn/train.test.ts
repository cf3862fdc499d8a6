import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChainEnv, type ChainOptions } from '../../tests/support/chainEnv.ts';
import { FakeVectorEnv } from '../../tests/support/fakeVectorEnv.ts';
import type { Agent } from '../agent.ts';
import type { EvalStats } from '../evaluation/statistics.ts';
import { checkAgentDir } from '../format/check.ts';
import { loadDqnAgent } from '../format/io.ts';
import type { DqnAgent } from './agent.ts';
import { RandomShift } from './augment.ts';
import { readLatestCheckpoint } from './checkpoint.ts';
import type { DqnConfigInput } from './config.ts';
import { getTf, type TfHandle } from './tfBackend.ts';
import { trainDqn } from './train.ts';

let handle: TfHandle;
let dir: string;
beforeAll(async () => {
  handle = await getTf({ quiet: true });
  dir = await mkdtemp(join(tmpdir(), 'arena-dqn-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const chainEnvs = (chain: ChainOptions) => (cfg: { numEnvs: number }) =>
  new FakeVectorEnv(Array.from({ length: cfg.numEnvs }, () => new ChainEnv(chain)));

/**
 * Chain envs with a split step, as the worker vector env has: `stepSend` takes the actions and
 * `stepWait` steps. Counts the split steps it was asked for.
 */
class SplitStepChainEnvs extends FakeVectorEnv {
  private pending: Int32Array | null = null;
  splitSteps = 0;
  constructor(numEnvs: number, chain: ChainOptions) {
    super(Array.from({ length: numEnvs }, () => new ChainEnv(chain)));
  }
  stepSend(actions: Int32Array) {
    if (this.pending) throw new Error('stepSend twice');
    this.pending = Int32Array.from(actions);
  }
  stepWait() {
    if (!this.pending) throw new Error('stepWait without stepSend');
    this.splitSteps++;
    const result = this.step(this.pending);
    this.pending = null;
    return result;
  }
}

/** Index of the first element where the arrays differ bit for bit, or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const quiet: Partial<DqnConfigInput> = { evalEvery: 0, stickyActionProbability: 0, noopMax: 0 };

describe('trainDqn', () => {
  it.each([false, true])(
    'runs 16 steps with tiny settings and writes a valid agent (dueling %s)',
    async (dueling) => {
      const tensorsBefore = handle.tf.memory().numTensors;
      const result = await trainDqn({
        config: {
          ...quiet,
          game: 'chain',
          net: 'small',
          dueling,
          totalSteps: 16,
          bufferSize: 16,
          learningStarts: 8,
          batchSize: 2,
          trainFrequency: 4,
          targetUpdateInterval: 4,
          logEvery: 4,
          runsDir: join(dir, `smoke-${dueling}`),
        },
        makeVectorEnv: chainEnvs({ maxSteps: 5 }),
        quiet: true,
      });
      expect([result.steps, result.updates]).toEqual([16, 2]);
      expect(handle.tf.memory().numTensors).toBe(tensorsBefore);
      expect(result.runId).toMatch(/^chain__dqn-small__1__\d+$/);
      const checked = await checkAgentDir(result.agentDir!, { expectedActions: ['LEFT', 'RIGHT'] });
      expect(checked.files).toContain('training-log.jsonl');
      expect(checked.meta.training).toMatchObject({
        steps: 16,
        frames: 64,
        algorithm: 'double-dqn',
      });
      expect(checked.meta.network.dueling).toBe(dueling);
      const log = (await readFile(join(result.runDir, 'training-log.jsonl'), 'utf8'))
        .trim()
        .split('\n');
      const types = log.map((l) => JSON.parse(l).type);
      expect(types[0]).toBe('config');
      expect(types.filter((t) => t === 'train')).toHaveLength(4);
    },
  );

  it('decays the step size on its schedule and logs it', async () => {
    const config: DqnConfigInput = {
      ...quiet,
      game: 'chain',
      net: 'small',
      totalSteps: 24,
      bufferSize: 16,
      learningStarts: 4,
      batchSize: 2,
      trainFrequency: 2,
      logEvery: 4,
      learningRate: 1e-3,
      finalLearningRate: 1e-4,
      learningRateDecaySteps: 16,
    };
    const run = (runsDir: string, cfg: DqnConfigInput) =>
      trainDqn({
        config: { ...cfg, runsDir },
        makeVectorEnv: chainEnvs({ maxSteps: 5 }),
        quiet: true,
      });
    const decayed = await run(join(dir, 'lr-decay'), config);
    const constant = await run(join(dir, 'lr-constant'), {
      ...config,
      finalLearningRate: undefined,
    });
    const rates = (await readFile(join(decayed.runDir, 'training-log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'train')
      .map((l) => [l.step, l['charts/learning_rate']]);
    expect(rates.map(([step]) => step)).toEqual([4, 8, 12, 16, 20, 24]);
    for (const [step, rate] of rates)
      expect(rate).toBeCloseTo(1e-3 - (9e-4 * Math.min(step, 16)) / 16, 12);
    // Same seed, same data until the first update: the smaller later steps change the weights.
    expect(decayed.weights.some((w, i) => firstDifference(w, constant.weights[i]) >= 0)).toBe(true);
  });

  it.each([
    { targets: 'Double DQN', munchausen: false },
    { targets: 'Munchausen', munchausen: true },
  ])(
    'learns the chain problem with the small network ($targets targets)',
    async ({ munchausen }) => {
      const chain = { length: 5, start: 1, leftReward: 0.1, maxSteps: 20 };
      const result = await trainDqn({
        config: {
          ...quiet,
          munchausen,
          game: 'chain',
          net: 'small',
          seed: 3,
          totalSteps: 360,
          numEnvs: 2,
          bufferSize: 2000,
          batchSize: 8,
          learningStarts: 40,
          trainFrequency: 2,
          targetUpdateInterval: 20,
          learningRate: 1e-3,
          gamma: 0.9,
          explorationFraction: 0.5,
          endEpsilon: 0.05,
          clipRewards: false,
          checkpointEvery: 0,
          checkpointReplay: false,
          logEvery: 50,
          runsDir: dir,
        },
        makeVectorEnv: chainEnvs(chain),
        quiet: true,
      });
      expect(result.steps).toBe(360);
      const { agent } = await loadDqnAgent(result.agentDir!, {
        expectedActions: ['LEFT', 'RIGHT'],
      });
      const env = new ChainEnv(chain);
      let { observation } = env.reset();
      // Q* from the start: right = 0.9^2 * 1 = 0.81 (three steps), left = 0.1 (one step).
      // Munchausen's fixed point keeps the greedy value but adds the bonus to the other action:
      // alpha * clip(tau * log pi(left), -1, 0) = 0.9 * -1, as the gap (0.71) is >> tau (0.03);
      // it is further from its fixed point after 360 steps, hence the wider margin.
      const q = agent.qValues(observation);
      expect(q[1]).toBeGreaterThan(q[0]);
      expect(Math.abs(q[1] - 0.81)).toBeLessThan(munchausen ? 0.35 : 0.2);
      expect(Math.abs(q[0] - (munchausen ? 0.1 - 0.9 : 0.1))).toBeLessThan(0.2);
      let score = 0;
      for (let t = 0; t < 3; t++) {
        const s = env.step(agent.act(observation));
        score += s.reward;
        observation = s.observation;
      }
      expect(score).toBe(1);
      agent.dispose();
      const manifest = JSON.parse(await readFile(join(result.agentDir!, 'agent.json'), 'utf8'));
      expect(manifest.training.algorithm).toBe(munchausen ? 'munchausen-dqn' : 'double-dqn');
    },
  );

  it('trains while a split-step env emulates, with the same result as a plain env', async () => {
    const chain = { length: 6, start: 2, leftReward: 0.5, maxSteps: 7 };
    const config = (runsDir: string): DqnConfigInput => ({
      ...quiet,
      game: 'chain',
      net: 'small',
      seed: 5,
      totalSteps: 40,
      numEnvs: 2,
      bufferSize: 40,
      batchSize: 3,
      learningStarts: 10,
      trainFrequency: 2,
      targetUpdateInterval: 8,
      logEvery: 4,
      runsDir,
    });
    const plain = await trainDqn({
      config: config(join(dir, 'plain')),
      makeVectorEnv: chainEnvs(chain),
      quiet: true,
    });
    let split: SplitStepChainEnvs | undefined;
    const overlapped = await trainDqn({
      config: config(join(dir, 'split')),
      makeVectorEnv: (cfg) => {
        split = new SplitStepChainEnvs(cfg.numEnvs, chain);
        return split;
      },
      quiet: true,
    });
    expect(split?.splitSteps).toBe(40 / 2);
    expect(overlapped.updates).toBe(plain.updates);
    expect(overlapped.weights.map((w, i) => firstDifference(w, plain.weights[i]))).toEqual(
      overlapped.weights.map(() => -1),
    );
  });

  /** A chain run that only a time budget ends. */
  const budgetRun = (runsDir: string): DqnConfigInput => ({
    ...quiet,
    game: 'chain',
    net: 'small',
    totalSteps: 1_000_000,
    bufferSize: 64,
    learningStarts: 16,
    batchSize: 4,
    logEvery: 8,
    runsDir: join(dir, runsDir),
  });

  it('stops when its wall-clock budget is spent, writes the agent, and resumes from there', async () => {
    const config = budgetRun('budget');
    const first = await trainDqn({
      config,
      makeVectorEnv: chainEnvs({ maxSteps: 5 }),
      quiet: true,
      maxSeconds: 1.5,
    });
    expect(first.steps).toBeGreaterThan(16);
    expect(first.steps).toBeLessThan(1_000_000);
    expect(first.agentDir).toBeDefined();
    const checked = await checkAgentDir(first.agentDir as string);
    expect(checked.meta.training).toMatchObject({ steps: first.steps });
    const resumed = await trainDqn({
      config: {},
      resumeDir: first.runDir,
      makeVectorEnv: chainEnvs({ maxSteps: 5 }),
      quiet: true,
      maxSeconds: 1,
    });
    expect(resumed.steps).toBeGreaterThan(first.steps);
    // The log's clock goes on from the first session's training time instead of restarting.
    const times = (await readFile(join(first.runDir, 'training-log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'train')
      .map((l) => l.time as number);
    expect(times.slice(1).every((t, i) => t >= times[i])).toBe(true);
    // About 1.5 s in the first session and 1 s in the second.
    expect(times[times.length - 1]).toBeGreaterThan(2);
  });

  it('leaves the time spent in periodic evaluations out of its time budget', async () => {
    const evalMs = 700;
    let evals = 0;
    const started = performance.now();
    const result = await trainDqn({
      config: { ...budgetRun('budget-evals'), evalEvery: 40 },
      makeVectorEnv: chainEnvs({ maxSteps: 5 }),
      // An evaluation that takes its time without playing: only the clock matters here.
      evaluate: async () => {
        evals++;
        await new Promise((resolve) => setTimeout(resolve, evalMs));
        const stats: EvalStats = {
          episodes: 1,
          mean: 0,
          std: 0,
          ci95: [0, 0],
          median: 0,
          min: 0,
          max: 0,
          normalised: null,
        };
        return stats;
      },
      quiet: true,
      maxSeconds: 1,
    });
    const wall = (performance.now() - started) / 1000;
    // Two or more evaluations (1.4 s or more) fit into a 1 s training budget.
    expect(evals).toBeGreaterThanOrEqual(2);
    expect(wall).toBeGreaterThan(1 + (evals * evalMs) / 1000 - 0.05);
    expect(result.agentDir).toBeDefined();
    const log = (await readFile(join(result.runDir, 'training-log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const last = log.filter((l) => l.type === 'train').at(-1);
    expect(last.time).toBeLessThanOrEqual(1.05);
    expect(last.eval_time).toBeGreaterThanOrEqual(((evals - 1) * evalMs) / 1000);
  });

  describe('keeps the agent of the best periodic evaluation', () => {
    // Scripted evaluation means by step: the best is the first 5 (step 40); the tie at 32 and the
    // later 4 must not replace the agents before them.
    const meanAt: Record<number, number> = { 8: 1, 16: 3, 24: 2, 32: 3, 40: 5, 48: 4 };
    const evaluate = async (_agent: unknown, step: number): Promise<EvalStats> => ({
      episodes: 3,
      mean: meanAt[step],
      std: 0,
      ci95: [meanAt[step], meanAt[step]],
      median: meanAt[step],
      min: meanAt[step],
      max: meanAt[step],
      normalised: null,
    });
    const chain = { length: 6, start: 2, leftReward: 0.5, maxSteps: 7 };
    const config = (runsDir: string): DqnConfigInput => ({
      ...quiet,
      game: 'chain',
      net: 'small',
      seed: 5,
      totalSteps: 48,
      numEnvs: 2,
      bufferSize: 40,
      batchSize: 3,
      learningStarts: 6,
      trainFrequency: 2,
      targetUpdateInterval: 8,
      explorationFraction: 0.5,
      checkpointEvery: 20,
      logEvery: 4,
      evalEvery: 8,
      runsDir: join(dir, runsDir),
    });
    const evalLines = async (runDir: string) =>
      (await readFile(join(runDir, 'training-log.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((l) => l.type === 'eval')
        .map((l) => [l.step, l['eval/mean'], l['eval/best'] ?? false]);
    const bestMarks = [
      [8, 1, true],
      [16, 3, true],
      [24, 2, false],
      [32, 3, false],
      [40, 5, true],
      [48, 4, false],
    ];

    it('writes it to <run>/best with the weights it was evaluated with', async () => {
      const result = await trainDqn({
        config: config('best'),
        makeVectorEnv: chainEnvs(chain),
        evaluate,
        quiet: true,
      });
      expect(result.best).toEqual({ step: 40, mean: 5 });
      expect(result.bestAgentDir).toBe(join(result.runDir, 'best'));
      expect(await evalLines(result.runDir)).toEqual(bestMarks);
      const { agent, meta } = await loadDqnAgent(result.bestAgentDir as string, { tf: handle.tf });
      expect(meta.training).toMatchObject({
        steps: 40,
        frames: 160,
        selection: { rule: 'best-eval-mean', evalStep: 40, evalMean: 5, evalEpisodes: 3 },
      });
      // The same run stopped at step 40 holds the weights the evaluation saw there.
      const at40 = await trainDqn({
        config: config('best-at-40'),
        makeVectorEnv: chainEnvs(chain),
        evaluate,
        quiet: true,
        stopAtStep: 40,
      });
      const saved = agent.model.getWeights().map((w) => w.dataSync() as Float32Array);
      expect(saved.length).toBe(at40.weights.length);
      expect(saved.map((w, i) => firstDifference(w, at40.weights[i]))).toEqual(saved.map(() => -1));
      // ...and they differ from the last agent's (training went on for 8 more steps).
      const last = await loadDqnAgent(result.agentDir as string, { tf: handle.tf });
      const lastWeights = last.agent.model.getWeights().map((w) => w.dataSync() as Float32Array);
      expect(lastWeights.some((w, i) => firstDifference(w, saved[i]) !== -1)).toBe(true);
      agent.model.dispose();
      last.agent.model.dispose();
    });

    it('remembers the best across a resume', async () => {
      const first = await trainDqn({
        config: config('best-resume'),
        makeVectorEnv: chainEnvs(chain),
        evaluate,
        quiet: true,
        stopAtStep: 20,
      });
      expect(first.best).toEqual({ step: 16, mean: 3 });
      const resumed = await trainDqn({
        config: {},
        resumeDir: first.runDir,
        makeVectorEnv: chainEnvs(chain),
        evaluate,
        quiet: true,
      });
      // The tie at 32 after the resume does not replace the 3 from before it.
      expect(await evalLines(resumed.runDir)).toEqual(bestMarks);
      expect(resumed.best).toEqual({ step: 40, mean: 5 });
    });

    it('writes no best agent with keepBestAgent off', async () => {
      const result = await trainDqn({
        config: { ...config('no-best'), keepBestAgent: false },
        makeVectorEnv: chainEnvs(chain),
        evaluate,
        quiet: true,
      });
      expect(result.best).toBeUndefined();
      expect(result.bestAgentDir).toBeUndefined();
      expect((await evalLines(result.runDir)).every(([, , best]) => best === false)).toBe(true);
      await expect(readFile(join(result.runDir, 'best', 'agent.json'))).rejects.toThrow(/ENOENT/);
    });
  });

  /** A 24-step run on a short chain. One env, a gradient step every 4 steps after step 4:
   * updates at steps 8, 12, 16, 20 and 24. */
  const shortChain = { length: 6, start: 2, leftReward: 0.5, maxSteps: 7 };
  const shortChainConfig = (runsDir: string, extra: Partial<DqnConfigInput>): DqnConfigInput => ({
    ...quiet,
    game: 'chain',
    net: 'small',
    seed: 9,
    totalSteps: 24,
    bufferSize: 40,
    batchSize: 3,
    learningStarts: 4,
    trainFrequency: 4,
    targetUpdateInterval: 8,
    explorationFraction: 0.5,
    learningRate: 1e-3,
    checkpointEvery: 0,
    logEvery: 4,
    ...extra,
    runsDir: join(dir, runsDir),
  });

  describe('keeps a weight average of the online network (averageDecay)', () => {
    const chain = shortChain;
    const config = (runsDir: string, averageDecay: number) =>
      shortChainConfig(runsDir, { averageDecay });
    const weightsOf = async (agentDir: string) => {
      const { agent, meta } = await loadDqnAgent(agentDir, { tf: handle.tf });
      const weights = agent.model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
      agent.model.dispose();
      return { weights, meta };
    };

    it('averages the online weights after every gradient step and leaves training as it was', async () => {
      const decay = 0.5;
      const result = await trainDqn({
        config: config('average', decay),
        makeVectorEnv: chainEnvs(chain),
        quiet: true,
      });
      expect(result.updates).toBe(5);
      expect(result.averageAgentDir).toBe(join(result.runDir, 'average'));
      // The same run without the average learns exactly the same online weights.
      const plain = await trainDqn({
        config: config('average-off', 0),
        makeVectorEnv: chainEnvs(chain),
        quiet: true,
      });
      expect(plain.averageAgentDir).toBeUndefined();
      expect(result.weights.map((w, i) => firstDifference(w, plain.weights[i]))).toEqual(
        result.weights.map(() => -1),
      );
      const { weights: finalAverage, meta } = await weightsOf(result.averageAgentDir as string);
      expect(finalAverage.some((w, i) => firstDifference(w, result.weights[i]) !== -1)).toBe(true);
      expect(meta.training).toMatchObject({ steps: 24, weightAverage: { decay, updates: 5 } });
      const checked = await checkAgentDir(result.averageAgentDir as string, {
        expectedActions: ['LEFT', 'RIGHT'],
      });
      expect(checked.meta.training.weightAverage).toEqual({ decay, updates: 5 });
      // The online weights after 0, 1, 2 and 3 gradient steps, from runs stopped on the way (a
      // stopped run keeps the step its last env step earned pending); the run stopped at step
      // 20 also checkpoints its average of those four.
      const history: Float32Array[][] = [];
      let stoppedAverage: Float32Array[] = [];
      for (const stopAtStep of [8, 12, 16, 20]) {
        const stopped = await trainDqn({
          config: config(`average-stop-${stopAtStep}`, decay),
          makeVectorEnv: chainEnvs(chain),
          quiet: true,
          stopAtStep,
        });
        expect(stopped.updates).toBe(history.length);
        history.push(stopped.weights);
        const checkpoint = await readLatestCheckpoint(join(stopped.runDir, 'checkpoints'));
        stoppedAverage = checkpoint?.tensors.find((g) => g.name === 'average')?.arrays ?? [];
      }
      // a_0 = w_0; a_k = (1 - c_k) w_k + c_k a_(k-1), c_k = min(decay, (1 + k) / (10 + k)).
      const expected = history[0].map((w) => Float64Array.from(w));
      for (let k = 1; k < history.length; k++) {
        const c = Math.min(decay, (1 + k) / (10 + k));
        expected.forEach((a, layer) => {
          for (let i = 0; i < a.length; i++) a[i] = (1 - c) * history[k][layer][i] + c * a[i];
        });
      }
      expect(stoppedAverage.length).toBe(expected.length);
      const worst = Math.max(
        ...stoppedAverage.map((w, layer) =>
          w.reduce((m, x, i) => Math.max(m, Math.abs(x - expected[layer][i])), 0),
        ),
      );
      expect(worst).toBeLessThan(1e-6);
      // ...and that average is not simply the online network of the moment.
      expect(stoppedAverage.some((w, i) => firstDifference(w, history[3][i]) !== -1)).toBe(true);
      const last = await weightsOf(result.agentDir as string);
      expect(last.meta.training.weightAverage).toBeUndefined();
    });

    it('evaluates the average beside the online network at every periodic evaluation', async () => {
      // The "score" of an agent is its first weight, so the log shows which network played.
      const played: number[][] = [];
      const evaluate = async (agent: Agent, step: number): Promise<EvalStats> => {
        const first = (agent as DqnAgent).model.getWeights()[0].dataSync()[0];
        played.push([step, first]);
        return {
          episodes: 1,
          mean: first,
          std: 0,
          ci95: [first, first],
          median: first,
          min: first,
          max: first,
          normalised: null,
        };
      };
      const result = await trainDqn({
        config: { ...config('average-eval', 0.5), evalEvery: 10 },
        makeVectorEnv: chainEnvs(chain),
        evaluate,
        quiet: true,
      });
      const evals = (await readFile(join(result.runDir, 'training-log.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((l) => l.type === 'eval')
        .map((l) => [l.step, l['eval/mean'], l['eval/average/mean']]);
      expect(evals.map(([step]) => step)).toEqual([10, 20]);
      expect(played.map(([step]) => step)).toEqual([10, 10, 20, 20]);
      expect(evals.flatMap(([, online, average]) => [online, average])).toEqual(
        played.map(([, first]) => first),
      );
      // By step 10 one gradient step has moved the average away from the online network.
      expect(evals[0][1]).not.toBe(evals[0][2]);
    });
  });

  it('shifts both observations of every replay batch when augmentShift is set (DrQ)', async () => {
    const apply = vi.spyOn(RandomShift.prototype, 'apply');
    let shifted: Awaited<ReturnType<typeof trainDqn>>;
    try {
      shifted = await trainDqn({
        config: shortChainConfig('shift-on', { augmentShift: 4 }),
        makeVectorEnv: chainEnvs(shortChain),
        quiet: true,
      });
      expect(shifted.updates).toBe(5);
      // Current and next observations, each batch of batchSize, once per gradient step.
      expect(apply).toHaveBeenCalledTimes(2 * shifted.updates);
      for (const [obs, size] of apply.mock.calls) {
        expect(size).toBe(3);
        expect(obs.length).toBe(3 * 84 * 84 * 4);
      }
      expect(apply.mock.instances.every((shift) => (shift as RandomShift).pad === 4)).toBe(true);
    } finally {
      apply.mockRestore();
    }
    const plain = await trainDqn({
      config: shortChainConfig('shift-off', {}),
      makeVectorEnv: chainEnvs(shortChain),
      quiet: true,
    });
    expect(plain.updates).toBe(5);
    // Same seed, same experience until learning starts; the shifted batches teach otherwise.
    expect(shifted.weights.some((w, i) => firstDifference(w, plain.weights[i]) !== -1)).toBe(true);
  });

  it('resumes from a checkpoint bit for bit', async () => {
    const chain = { length: 6, start: 2, leftReward: 0.5, maxSteps: 7 };
    const config = (runsDir: string): DqnConfigInput => ({
      ...quiet,
      game: 'chain',
      net: 'small',
      seed: 11,
      totalSteps: 48,
      numEnvs: 2,
      bufferSize: 40,
      batchSize: 3,
      learningStarts: 12,
      trainFrequency: 4,
      targetUpdateInterval: 8,
      explorationFraction: 0.5,
      checkpointEvery: 24,
      checkpointReplay: true,
      logEvery: 4,
      runsDir,
      prioritized: true,
      nStep: 2,
      // The step size decays across the checkpoint: the resumed half must continue it exactly.
      learningRate: 1e-3,
      finalLearningRate: 2e-4,
      learningRateDecaySteps: 40,
      // The weight average is checkpointed and continues exactly too.
      averageDecay: 0.9,
    });
    const straight = await trainDqn({
      config: config(join(dir, 'a')),
      makeVectorEnv: chainEnvs(chain),
      quiet: true,
    });
    const first = await trainDqn({
      config: config(join(dir, 'b')),
      makeVectorEnv: chainEnvs(chain),
      quiet: true,
      stopAtStep: 24,
    });
    expect(first.steps).toBe(24);
    expect(first.agentDir).toBeUndefined();
    const resumed = await trainDqn({
      config: {},
      resumeDir: first.runDir,
      makeVectorEnv: chainEnvs(chain),
      quiet: true,
    });
    expect(resumed.steps).toBe(48);
    expect(resumed.updates).toBe(straight.updates);
    expect(resumed.updates).toBeGreaterThan(0);
    // Compared element by element (a failing toEqual on ~700k floats takes minutes to diff).
    expect(resumed.weights.length).toBe(straight.weights.length);
    expect(resumed.weights.map((w, i) => firstDifference(w, straight.weights[i]))).toEqual(
      resumed.weights.map(() => -1),
    );
    const lines = async (runDir: string) =>
      (await readFile(join(runDir, 'training-log.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((l) => l.type !== 'config')
        .map(({ time, 'charts/SPS': _s, 'charts/UPS': _u, ...rest }) => rest);
    expect(await lines(resumed.runDir)).toEqual(await lines(straight.runDir));
    const averageBytes = (r: typeof straight) =>
      readFile(join(r.averageAgentDir as string, 'weights.bin'));
    expect(Buffer.compare(await averageBytes(resumed), await averageBytes(straight))).toBe(0);
  });
});
