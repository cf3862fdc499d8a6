// The real env factory (`emulators/index.ts`) inside worker threads, against the same envs in this
// thread. Kept to a few steps: most of its time is worker start-up and booting the ROM.
import { expect, it } from 'vitest';
import { makeVectorEnv, type VectorStepResult } from './index.ts';

const MODULE = new URL('../index.ts', import.meta.url).href;

function copy(r: VectorStepResult) {
  return [r.observations, r.rewards, r.terminated, r.truncated, r.scores, r.lives, r.episodeFrames]
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
