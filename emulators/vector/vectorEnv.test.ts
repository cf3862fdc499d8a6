import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnv, FakeEnv, type FakeEnvOptions } from '../../tests/support/fakeEnvModule.ts';
import { UserError } from '../errors.ts';
import { Rng } from '../rng.ts';
import {
  makeVectorEnv,
  SyncVectorEnv,
  type VectorEnv,
  type VectorStepResult,
  WorkerVectorEnv,
} from './index.ts';

const FAKE = new URL('../../tests/support/fakeEnvModule.ts', import.meta.url).href;
const FIELDS = [
  'observations',
  'rewards',
  'terminated',
  'truncated',
  'scores',
  'lives',
  'episodeFrames',
  'executedActions',
  'finalReturns',
  'finalScores',
  'finalLengths',
] as const;

const open: VectorEnv[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((env) => env.close()));
});

async function make(
  mode: 'sync' | 'workers',
  numEnvs: number,
  options: FakeEnvOptions = {},
  workers?: number,
): Promise<VectorEnv> {
  const env = await makeVectorEnv({ module: FAKE, options, numEnvs, mode, workers });
  open.push(env);
  return env;
}

function snapshot(result: VectorStepResult): Record<string, number[]> {
  return Object.fromEntries(FIELDS.map((f) => [f, Array.from(result[f])]));
}

function randomActions(rng: Rng, numEnvs: number, n: number): Int32Array {
  const actions = new Int32Array(numEnvs);
  for (let i = 0; i < numEnvs; i++) actions[i] = rng.int(n);
  return actions;
}

describe('SyncVectorEnv', () => {
  it('seeds env i with seed + i and lays observations out back to back', async () => {
    const vec = await make('sync', 3);
    const result = vec.reset({ seed: 40 });
    expect(vec.obsSize).toBe(30);
    expect(result.observations.length).toBe(90);
    for (let i = 0; i < 3; i++) {
      const single = new FakeEnv().reset({ seed: 40 + i });
      expect(result.observations.subarray(i * 30, (i + 1) * 30)).toEqual(single.observation);
      expect(result.lives[i]).toBe(3);
    }
  });

  it('resets finished envs at once and keeps the final return, score and length', async () => {
    const numEnvs = 3;
    const vec = await make('sync', numEnvs);
    const singles = Array.from({ length: numEnvs }, () => createEnv({}));
    vec.reset({ seed: 7 });
    singles.forEach((env, i) => {
      env.reset({ seed: 7 + i });
    });
    const returns = new Float64Array(numEnvs);
    const lengths = new Int32Array(numEnvs);
    const rng = new Rng(1);
    let finished = 0;
    let truncations = 0;
    for (let t = 0; t < 40; t++) {
      const actions = randomActions(rng, numEnvs, 4);
      const result = vec.step(actions);
      for (let i = 0; i < numEnvs; i++) {
        const step = singles[i].step(actions[i]);
        returns[i] += step.reward;
        lengths[i]++;
        expect(result.rewards[i]).toBe(step.reward);
        expect(result.terminated[i]).toBe(step.terminated ? 1 : 0);
        expect(result.truncated[i]).toBe(step.truncated ? 1 : 0);
        if (step.terminated || step.truncated) {
          finished++;
          if (step.truncated) truncations++;
          expect(result.finalScores[i]).toBe(step.info.score);
          expect(result.finalReturns[i]).toBe(returns[i]);
          expect(result.finalLengths[i]).toBe(lengths[i]);
          returns[i] = 0;
          lengths[i] = 0;
          const next = singles[i].reset();
          // The final observation is dropped: the slot already shows the new episode.
          expect(result.scores[i]).toBe(0);
          expect(result.episodeFrames[i]).toBe(0);
          expect(result.observations.subarray(i * 30, (i + 1) * 30)).toEqual(next.observation);
        } else {
          expect(result.finalLengths[i]).toBe(0);
          expect(result.scores[i]).toBe(step.info.score);
          expect(result.observations.subarray(i * 30, (i + 1) * 30)).toEqual(step.observation);
        }
      }
    }
    expect(finished).toBeGreaterThan(5);
    expect(truncations).toBeGreaterThan(0);
  });

  it('returns the same views every step and rejects bad action arrays', async () => {
    const vec = await make('sync', 2);
    const first = vec.reset({ seed: 1 });
    const views = FIELDS.map((f) => first[f]);
    for (let t = 0; t < 20; t++) {
      const result = vec.step(new Int32Array([1, 2]));
      expect(result).toBe(first);
      FIELDS.forEach((f, k) => {
        expect(result[f]).toBe(views[k]);
      });
    }
    expect(() => vec.step(new Int32Array(3))).toThrow(/Int32Array of 2 actions/);
  });
});

describe('WorkerVectorEnv', () => {
  it('matches SyncVectorEnv byte for byte, through step and stepAsync, and closes its threads', async () => {
    const numEnvs = 5;
    const sync = await make('sync', numEnvs);
    const workers = await make('workers', numEnvs, {}, 2);
    const a = sync.reset({ seed: 123 });
    const b = workers.reset({ seed: 123 });
    expect(b.observations.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(snapshot(b)).toEqual(snapshot(a));
    const rng = new Rng(9);
    let dones = 0;
    for (let t = 0; t < 60; t++) {
      const actions = randomActions(rng, numEnvs, 4);
      sync.step(actions);
      let result: VectorStepResult;
      if (t % 3 === 0) result = workers.step(actions);
      else if (t % 3 === 1) result = await workers.stepAsync(actions);
      else {
        (workers as WorkerVectorEnv).stepSend(actions);
        expect(() => workers.step(actions)).toThrow(/still in flight/);
        result = (workers as WorkerVectorEnv).stepWait();
      }
      expect(result).toBe(b);
      expect(snapshot(b)).toEqual(snapshot(a));
      for (let i = 0; i < numEnvs; i++) dones += b.terminated[i] | b.truncated[i];
    }
    expect(dones).toBeGreaterThan(10);
    // Reseeding restarts every env exactly.
    expect(snapshot(workers.reset({ seed: 5 }))).toEqual(snapshot(sync.reset({ seed: 5 })));

    const vec = workers as WorkerVectorEnv;
    expect(vec.liveWorkers).toBe(2);
    await vec.close();
    expect(vec.liveWorkers).toBe(0);
    expect(() => vec.step(new Int32Array(numEnvs))).toThrow(/closed/);
    await vec.close();
  });

  it('rejects a niceness outside 0-19', async () => {
    for (const nice of [20, -1, 1.5]) {
      await expect(
        makeVectorEnv({ module: FAKE, options: {}, numEnvs: 2, mode: 'workers', nice }),
      ).rejects.toThrow(`nice must be an integer from 0 to 19, got ${nice}`);
    }
  });

  it.runIf(process.platform === 'linux')(
    'gives its worker threads the niceness asked for, and only them',
    async () => {
      // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's niceness (fields 3+ follow ") ").
      const threadsWithNice = (nice: number) =>
        readdirSync('/proc/self/task').filter((tid) => {
          try {
            const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
            return Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[16]) === nice;
          } catch {
            return false; // the thread ended while the folder was read
          }
        }).length;
      // 7: a value no other test gives its threads.
      expect(threadsWithNice(7)).toBe(0);
      const plain = (await make('workers', 2, {}, 1)) as WorkerVectorEnv;
      expect(plain.workerNice).toEqual([getPriority()]);
      const niced = (await makeVectorEnv({
        module: FAKE,
        options: {},
        numEnvs: 3,
        mode: 'workers',
        workers: 2,
        nice: 7,
      })) as WorkerVectorEnv;
      open.push(niced);
      expect(niced.workerNice).toEqual([7, 7]);
      expect(threadsWithNice(7)).toBe(2);
      // The niced workers still step as they should.
      const sync = await make('sync', 3);
      expect(snapshot(niced.reset({ seed: 4 }))).toEqual(snapshot(sync.reset({ seed: 4 })));
      await niced.close();
      expect(threadsWithNice(7)).toBe(0);
    },
  );

  it('reports an env that cannot be built instead of hanging, keeping a UserError one', async () => {
    const failure = make('workers', 2, { failCreate: 'user' }, 1);
    await expect(failure).rejects.toThrow(
      /vector worker 0 \(envs 0-1\) could not create its envs: FakeEnv: asked to fail in createEnv/,
    );
    await expect(failure).rejects.toBeInstanceOf(UserError);
    await expect(failure).rejects.toMatchObject({ code: 'FAKE_BAD' });
  });

  it('surfaces an error thrown by step in a worker', async () => {
    const vec = await make('workers', 4, { failAtStep: 3 }, 2);
    vec.reset({ seed: 0 });
    const actions = new Int32Array(4);
    vec.step(actions);
    vec.step(actions);
    expect(() => vec.step(actions)).toThrow(
      /vector worker 0 \(envs 0-1\) failed during step: FakeEnv: asked to fail in step/,
    );
    expect(() => vec.step(actions)).toThrow(/unusable after an earlier error/);
    await vec.close();
    expect((vec as WorkerVectorEnv).liveWorkers).toBe(0);
  });

  it('reports a worker that dies mid-step', async () => {
    const vec = await make('workers', 2, { exitAtStep: 2 }, 1);
    vec.reset({ seed: 0 });
    vec.step(new Int32Array(2));
    expect(() => vec.step(new Int32Array(2))).toThrow(/died during step \(exit code 7\)/);
    await vec.close();
    expect((vec as WorkerVectorEnv).liveWorkers).toBe(0);
  });

  it('also rejects from stepAsync when a worker dies', async () => {
    const vec = await make('workers', 2, { exitAtStep: 1 }, 1);
    vec.reset({ seed: 0 });
    await expect(vec.stepAsync(new Int32Array(2))).rejects.toThrow(/died during step/);
  });

  it('ends a stepAsync in flight when closed', async () => {
    const vec = await make('workers', 1, { workPerStep: 3e8 }, 1);
    vec.reset({ seed: 0 });
    const pending = vec.stepAsync(new Int32Array(1));
    await vec.close();
    await expect(pending).rejects.toThrow(/closed during step/);
    expect((vec as WorkerVectorEnv).liveWorkers).toBe(0);
  });
});

it('lets a process that never calls close() exit', () => {
  const index = new URL('./index.ts', import.meta.url).href;
  const script = `
    import { makeVectorEnv } from '${index}';
    const vec = await makeVectorEnv({ module: '${FAKE}', numEnvs: 2, workers: 2 });
    vec.reset({ seed: 1 });
    await vec.stepAsync(new Int32Array(2));
    vec.step(new Int32Array(2));
    console.log('stepped');`;
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  expect(child.status, child.stderr).toBe(0);
  expect(child.stdout.trim()).toBe('stepped');
});

it('SyncVectorEnv takes ready-made envs', async () => {
  const vec = new SyncVectorEnv([new FakeEnv(), new FakeEnv()]);
  open.push(vec);
  expect(vec.reset({ seed: 3 }).observations.length).toBe(60);
  await expect(WorkerVectorEnv.create({ module: FAKE }, 0)).rejects.toThrow(/positive integer/);
});

it.each(['sync', 'workers'] as const)(
  'has no state to give when its envs cannot save theirs (%s), so resuming restarts them',
  async (mode) => {
    const vec = (await make(mode, 2, {}, 1)) as SyncVectorEnv | WorkerVectorEnv;
    vec.reset({ seed: 1 });
    expect(vec.resumable).toBe(false);
    expect(vec.getState()).toBeUndefined();
    expect(() => vec.setState({})).toThrow(/cannot restore its state/);
    // Still usable afterwards.
    expect(vec.step(new Int32Array(2)).observations.length).toBe(60);
  },
);
