// Exact resume on the real games: a short DQN run on Brick (worker vector env, sticky actions,
// no-op starts, terminal on life loss), stopped at a checkpoint and resumed, ends with the same
// weights and the same training log as the run that was never stopped.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DqnConfigInput } from './config.ts';
import { trainVectorEnv } from './gameEnvs.ts';
import { getTf, type TfHandle } from './tfBackend.ts';
import { trainDqn } from './train.ts';

let handle: TfHandle;
let dir: string;
beforeAll(async () => {
  handle = await getTf({ quiet: true });
  dir = await mkdtemp(join(tmpdir(), 'arena-dqn-nes-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Index of the first element where the arrays differ bit for bit, or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** The log's lines without the config line and the fields that depend on the clock. */
async function logLines(runDir: string) {
  return (await readFile(join(runDir, 'training-log.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => l.type !== 'config')
    .map(({ time: _t, 'charts/SPS': _s, 'charts/UPS': _u, ...rest }) => rest);
}

it('resumes a Brick run bit for bit from a checkpoint taken mid-episode', async () => {
  const config = (runsDir: string): DqnConfigInput => ({
    game: 'brick',
    net: 'small',
    seed: 7,
    totalSteps: 240,
    numEnvs: 2,
    bufferSize: 240,
    batchSize: 4,
    learningStarts: 40,
    trainFrequency: 4,
    targetUpdateInterval: 40,
    explorationFraction: 0.5,
    // Shifted replay batches draw from the replay generator, which the checkpoint carries.
    augmentShift: 4,
    // Training conditions (sticky actions, no-op starts, terminal on life loss: the defaults),
    // with a frame cap short enough that episodes end on both sides of the checkpoint.
    maxEpisodeFrames: 200,
    checkpointEvery: 120,
    checkpointReplay: true,
    evalEvery: 0,
    logEvery: 20,
    runsDir,
  });
  const common = { makeVectorEnv: trainVectorEnv, quiet: true, tf: handle };
  const straight = await trainDqn({ ...common, config: config(join(dir, 'straight')) });
  const first = await trainDqn({ ...common, config: config(join(dir, 'split')), stopAtStep: 120 });
  expect(first.steps).toBe(120);
  // The checkpoint carries the envs' state (taken mid-episode in both envs).
  const checkpoints = join(first.runDir, 'checkpoints');
  const latest = JSON.parse(await readFile(join(checkpoints, 'latest.json'), 'utf8'));
  const saved = JSON.parse(
    await readFile(join(checkpoints, latest.checkpoint, 'state.json'), 'utf8'),
  );
  expect(saved.state.envState).toMatchObject({ format: 'vector-env-state', numEnvs: 2 });
  expect(saved.state.envState.episodeLengths.every((n: number) => n > 0)).toBe(true);

  const resumed = await trainDqn({ ...common, config: {}, resumeDir: first.runDir });
  expect(resumed.steps).toBe(240);
  expect(resumed.updates).toBe(straight.updates);
  expect(resumed.updates).toBeGreaterThan(0);
  expect(resumed.weights.map((w, i) => firstDifference(w, straight.weights[i]))).toEqual(
    resumed.weights.map(() => -1),
  );
  const lines = await logLines(resumed.runDir);
  expect(lines).toEqual(await logLines(straight.runDir));
  // Episodes ended after the checkpoint too, so the restored envs' resets were exercised.
  const episodeSteps = lines.filter((l) => l.type === 'episode').map((l) => l.step as number);
  expect(episodeSteps.some((s) => s <= 120)).toBe(true);
  expect(episodeSteps.some((s) => s > 120)).toBe(true);
});
