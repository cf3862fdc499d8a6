// The real env factory (`emulators/index.ts`) inside worker threads, against the same envs in this
// thread. Kept to a few steps: most of its time is worker start-up and booting the ROM.
import { expect, it } from 'vitest';
import { actionScript } from '../../tests/support/envTrace.ts';
import { makeVectorEnv, SyncVectorEnv, type VectorStepResult, WorkerVectorEnv } from './index.ts';

const MODULE = new URL('../index.ts', import.meta.url).href;

function copy(r: VectorStepResult) {
  return [
    r.observations,
    r.rewards,
    r.terminated,
    r.truncated,
    r.scores,
    r.lives,
    r.episodeFrames,
    r.executedActions,
    r.finalReturns,
    r.finalLengths,
  ]
    .map((a) => Array.from(a).join(','))
    .join('|');
}

it('steps the bundled brick ROM identically in workers and in this thread', async () => {
  const options = { game: 'brick', noopMax: 0 };
  const [sync, workers] = await Promise.all([
    makeVectorEnv({ module: MODULE, options, numEnvs: 2, mode: 'sync' }),
    makeVectorEnv({ module: MODULE, options, numEnvs: 2, workers: 1, mode: 'workers' }),
  ]);
  try {
    expect(workers.observationSpace.shape).toEqual([4, 84, 84]);
    expect(copy(workers.reset({ seed: 11 }))).toBe(copy(sync.reset({ seed: 11 })));
    const actions = new Int32Array([1, 3]);
    for (let t = 0; t < 6; t++) {
      expect(copy(workers.step(actions))).toBe(copy(sync.step(actions)));
    }
  } finally {
    await Promise.all([sync.close(), workers.close()]);
  }
});

it('saves the worker envs mid-episode and continues exactly, in workers or in this thread', async () => {
  // Training conditions, with a short frame cap so the steps after the save cross episode ends.
  const options = {
    game: 'brick',
    stickyActionProbability: 0.25,
    noopMax: 30,
    terminalOnLifeLoss: true,
    maxEpisodeFrames: 240,
  };
  const [workers, sync] = await Promise.all([
    makeVectorEnv({ module: MODULE, options, numEnvs: 2, workers: 2, mode: 'workers' }),
    makeVectorEnv({ module: MODULE, options, numEnvs: 2, mode: 'sync' }),
  ]);
  try {
    if (!(workers instanceof WorkerVectorEnv && sync instanceof SyncVectorEnv)) throw new Error();
    expect(workers.resumable).toBe(true);
    const n = workers.actionSpace.n;
    const script = actionScript(2 * 100, n, 4);
    const actionsAt = (t: number) => Int32Array.from(script.slice(2 * t, 2 * t + 2));
    const play = (env: WorkerVectorEnv | SyncVectorEnv, from: number, to: number) => {
      const trace: string[] = [];
      for (let t = from; t < to; t++) trace.push(copy(env.step(actionsAt(t))));
      return trace;
    };
    workers.reset({ seed: 31 });
    play(workers, 0, 23);
    // The result views are the same object on every call; they are part of the state.
    const views = workers.step(actionsAt(23));
    const atSave = copy(views);
    const state = JSON.stringify(workers.getState());
    const reference = play(workers, 24, 100);
    // Both envs ended episodes after the save, so resets and no-op starts are covered.
    const ends = reference.map((r) => r.split('|')[9].split(',').map(Number));
    expect(ends.filter(([a]) => a > 0).length).toBeGreaterThan(0);
    expect(ends.filter(([, b]) => b > 0).length).toBeGreaterThan(0);

    workers.setState(JSON.parse(state));
    expect(copy(views)).toBe(atSave);
    expect(play(workers, 24, 100)).toEqual(reference);
    // The same state in the in-thread version (never reset): the same steps.
    sync.setState(JSON.parse(state));
    expect(play(sync, 24, 100)).toEqual(reference);
  } finally {
    await Promise.all([sync.close(), workers.close()]);
  }
});
