// `arena agent export`'s core: a checkpoint written as an agent folder holds exactly the network
// the run had at that step, the agent.json the run writes, and the log up to that step.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentModel } from '../format/io.ts';
import type { DqnConfigInput } from './config.ts';
import { exportCheckpointAgent } from './exportCheckpoint.ts';
import { trainVectorEnv } from './gameEnvs.ts';
import { getTf, type TfHandle } from './tfBackend.ts';
import { type TrainResult, trainDqn } from './train.ts';

let handle: TfHandle;
let dir: string;
let full: TrainResult;
beforeAll(async () => {
  handle = await getTf({ quiet: true });
  dir = await mkdtemp(join(tmpdir(), 'arena-export-'));
  full = await train('full');
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const config = (name: string, averageDecay = 0): DqnConfigInput => ({
  game: 'brick',
  net: 'small',
  seed: 3,
  totalSteps: 96,
  numEnvs: 1,
  bufferSize: 96,
  batchSize: 4,
  learningStarts: 16,
  trainFrequency: 4,
  targetUpdateInterval: 32,
  explorationFraction: 0.5,
  checkpointEvery: 48,
  checkpointReplay: false,
  evalEvery: 0,
  logEvery: 8,
  averageDecay,
  runsDir: join(dir, name),
});
const train = (name: string, stopAtStep?: number, averageDecay?: number) =>
  trainDqn({
    makeVectorEnv: trainVectorEnv,
    quiet: true,
    tf: handle,
    config: config(name, averageDecay),
    stopAtStep,
  });

const weightsOf = async (agentDir: string) => {
  const { model } = await loadAgentModel(agentDir, { tf: handle.tf });
  const weights = model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
  model.dispose();
  return weights;
};
const sameBits = (a: Float32Array[], b: Float32Array[]) =>
  a.length === b.length &&
  a.every((w, i) => w.length === b[i].length && w.every((x, j) => Object.is(x, b[i][j])));
const json = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

describe('exportCheckpointAgent', () => {
  it('writes the latest checkpoint as the same agent the run wrote at its end', async () => {
    const out = join(dir, 'latest-agent');
    const exported = await exportCheckpointAgent({ runDir: full.runDir, out, tf: handle });
    expect(exported.step).toBe(96);
    const agentDir = full.agentDir as string;
    expect(await readFile(join(out, 'weights.bin'))).toEqual(
      await readFile(join(agentDir, 'weights.bin')),
    );
    const { createdAt: _a, ...meta } = await json(join(out, 'agent.json'));
    const { createdAt: _b, ...trained } = await json(join(agentDir, 'agent.json'));
    expect(meta).toEqual(trained);
    expect(await readFile(join(out, 'training-log.jsonl'), 'utf8')).toBe(
      await readFile(join(agentDir, 'training-log.jsonl'), 'utf8'),
    );
  }, 60_000);

  it('writes an earlier checkpoint with the weights the run had then and its log so far', async () => {
    const out = join(dir, 'step-48-agent');
    const exported = await exportCheckpointAgent({
      runDir: full.runDir,
      step: 48,
      out,
      tf: handle,
    });
    expect(exported).toEqual({ step: 48, dir: out });
    // The same run stopped at step 48 ends with these weights, bit for bit.
    const stopped = await train('stopped', 48);
    const weights = await weightsOf(out);
    expect(sameBits(weights, stopped.weights)).toBe(true);
    expect(sameBits(weights, full.weights)).toBe(false);
    const meta = await json(join(out, 'agent.json'));
    expect(meta.training).toMatchObject({ steps: 48, frames: 192, runId: full.runId });
    const log = (await readFile(join(out, 'training-log.jsonl'), 'utf8')).trim().split('\n');
    const steps = log
      .map((l) => JSON.parse(l))
      .filter((l) => 'step' in l)
      .map((l) => l.step);
    expect(Math.max(...steps)).toBe(48);
    const runLog = await readFile(join(full.runDir, 'training-log.jsonl'), 'utf8');
    expect(runLog.startsWith(log.join('\n'))).toBe(true);
    expect(runLog.length).toBeGreaterThan(log.join('\n').length + 1);
  }, 120_000);

  it("writes the run's weight average when asked, as the run wrote it at its end", async () => {
    const averaged = await train('averaged', undefined, 0.99);
    const out = join(dir, 'average-agent');
    await exportCheckpointAgent({ runDir: averaged.runDir, out, average: true, tf: handle });
    const averageDir = averaged.averageAgentDir as string;
    expect(await readFile(join(out, 'weights.bin'))).toEqual(
      await readFile(join(averageDir, 'weights.bin')),
    );
    const { createdAt: _a, ...meta } = await json(join(out, 'agent.json'));
    const { createdAt: _b, ...trained } = await json(join(averageDir, 'agent.json'));
    expect(meta).toEqual(trained);
    expect(meta.training.weightAverage).toEqual({ decay: 0.99, updates: averaged.updates });
    // Without --average the online network comes out, as the run's last agent.
    const onlineOut = join(dir, 'average-run-online');
    await exportCheckpointAgent({ runDir: averaged.runDir, out: onlineOut, tf: handle });
    expect(await readFile(join(onlineOut, 'weights.bin'))).toEqual(
      await readFile(join(averaged.agentDir as string, 'weights.bin')),
    );
    // A run without a weight average has none to export.
    await expect(
      exportCheckpointAgent({
        runDir: full.runDir,
        out: join(dir, 'z'),
        average: true,
        tf: handle,
      }),
    ).rejects.toThrow(/has no weight average \(the run was trained without --average-decay\)/);
  }, 120_000);

  it('names the kept checkpoints when asked for another, and refuses a folder without any', async () => {
    await expect(
      exportCheckpointAgent({ runDir: full.runDir, step: 50, out: join(dir, 'x'), tf: handle }),
    ).rejects.toThrow(`no checkpoint at step 50 in ${full.runDir}; kept: 48, 96`);
    await expect(
      exportCheckpointAgent({ runDir: dir, out: join(dir, 'y'), tf: handle }),
    ).rejects.toThrow(`no checkpoints in ${dir}`);
  });
});
