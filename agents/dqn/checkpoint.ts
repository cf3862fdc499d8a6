/**
 * Training checkpoints, written atomically: each goes to a temporary folder that is renamed into
 * place, then `latest.json` (itself written to a temporary file and renamed) points at it. A crash
 * mid-write leaves the previous checkpoint intact and pointed to.
 *
 * Layout of `<runDir>/checkpoints/step-<n>/`:
 * - `state.json`: counters, RNG states, episode accumulators, tensor shapes, replay header.
 *   `snapshotLearner` / `restoreLearner` gather and put back the learner's part of it.
 * - `tensors.bin`: every float32 tensor group (online net, target net, Adam moments) back to back.
 * - `replay.bin`: the replay buffer's arrays (when checkpointReplay is on).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type * as tfTypes from '@tensorflow/tfjs';
import type { Rng, RngState } from '../../emulators/rng.ts';
import type { Adam } from './adam.ts';
import type { ReplayBuffer, ReplayHeader } from './replayBuffer.ts';
import type { Tf } from './tfBackend.ts';

export interface TensorGroup {
  name: string;
  shapes: number[][];
  arrays: Float32Array[];
}

export interface Checkpoint {
  step: number;
  /** Everything JSON-serialisable the trainer needs back. */
  state: Record<string, unknown>;
  tensors: TensorGroup[];
  /** Replay header and its byte chunks (written in order). */
  replay?: { header: unknown; chunks: Uint8Array[] };
}

export interface LoadedCheckpoint {
  step: number;
  state: Record<string, unknown>;
  tensors: TensorGroup[];
  /** The replay header and the file holding its arrays (read by `restoreLearner`). */
  replay?: { header: unknown; file: string };
  dir: string;
}

/** Writes a checkpoint under `root` and keeps only the newest `keep`. Returns its folder. */
export async function writeCheckpoint(
  root: string,
  checkpoint: Checkpoint,
  keep = 2,
): Promise<string> {
  await mkdir(root, { recursive: true });
  const name = checkpointName(checkpoint.step);
  const tmp = join(root, `.${name}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  const tensorMeta = checkpoint.tensors.map((g) => ({ name: g.name, shapes: g.shapes }));
  const tensorBytes = checkpoint.tensors.flatMap((g) =>
    g.arrays.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)),
  );
  await writeChunks(join(tmp, 'tensors.bin'), tensorBytes);
  if (checkpoint.replay) await writeChunks(join(tmp, 'replay.bin'), checkpoint.replay.chunks);
  const state = {
    step: checkpoint.step,
    state: checkpoint.state,
    tensors: tensorMeta,
    replay: checkpoint.replay?.header ?? null,
  };
  await writeFile(join(tmp, 'state.json'), JSON.stringify(state));
  const final = join(root, name);
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  const pointerTmp = join(root, `.latest.json.tmp-${process.pid}`);
  await writeFile(pointerTmp, JSON.stringify({ checkpoint: name, step: checkpoint.step }));
  await rename(pointerTmp, join(root, 'latest.json'));
  // Prune older checkpoints only after the pointer has moved on.
  const old = (await readdir(root)).filter((n) => /^step-\d+$/.test(n)).sort();
  for (const n of old.slice(0, Math.max(0, old.length - keep))) {
    await rm(join(root, n), { recursive: true, force: true });
  }
  return final;
}

/** The folder of the checkpoint `latest.json` points at, or null when there is none. */
async function latestCheckpointDir(root: string): Promise<string | null> {
  try {
    const pointer = JSON.parse(await readFile(join(root, 'latest.json'), 'utf8'));
    return join(root, pointer.checkpoint);
  } catch {
    return null;
  }
}

/** The trainer's state of the latest checkpoint under `root` (no tensors read), or null. */
export async function readLatestCheckpointState(
  root: string,
): Promise<Record<string, unknown> | null> {
  const dir = await latestCheckpointDir(root);
  if (!dir) return null;
  const meta = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
  return meta.state as Record<string, unknown>;
}

/** Reads the checkpoint `latest.json` points at, or null when there is none. */
export async function readLatestCheckpoint(root: string): Promise<LoadedCheckpoint | null> {
  const dir = await latestCheckpointDir(root);
  return dir ? readCheckpoint(dir) : null;
}

/** The folder name of the checkpoint at `step` under a run's `checkpoints/`. */
export const checkpointName = (step: number) => `step-${String(step).padStart(10, '0')}`;

/** The steps of the checkpoints kept under `root`, oldest first. */
export async function listCheckpointSteps(root: string): Promise<number[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  return names
    .filter((n) => /^step-\d+$/.test(n))
    .map((n) => Number(n.slice(5)))
    .sort((a, b) => a - b);
}

/** Reads one checkpoint folder (`<root>/step-<n>`). */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const meta = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as {
    step: number;
    state: Record<string, unknown>;
    tensors: { name: string; shapes: number[][] }[];
    replay: unknown;
  };
  const raw = await readFile(join(dir, 'tensors.bin'));
  // Copy into an aligned buffer: Float32Array views need 4-byte alignment.
  const floats = new Float32Array(new Uint8Array(raw).buffer);
  let offset = 0;
  const tensors = meta.tensors.map((g) => ({
    name: g.name,
    shapes: g.shapes,
    arrays: g.shapes.map((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const a = floats.slice(offset, offset + n);
      offset += n;
      return a;
    }),
  }));
  if (offset !== floats.length) {
    throw new Error(`checkpoint ${dir}: tensors.bin does not match state.json`);
  }
  const replay = meta.replay ? { header: meta.replay, file: join(dir, 'replay.bin') } : undefined;
  return { step: meta.step, state: meta.state, tensors, replay, dir };
}

async function writeChunks(file: string, chunks: Uint8Array[]): Promise<void> {
  const stream = createWriteStream(file);
  for (const chunk of chunks) {
    // Large chunks (replay frames) are written in slices to bound memory held by the stream.
    for (let o = 0; o < chunk.byteLength; o += 64 << 20) {
      if (!stream.write(chunk.subarray(o, o + (64 << 20)))) {
        await new Promise<void>((r) => stream.once('drain', () => r()));
      }
    }
  }
  stream.end();
  await finished(stream);
}

/** What a checkpoint captures of the learner besides the trainer's counters. */
export interface LearnerParts {
  online: tfTypes.LayersModel;
  target: tfTypes.LayersModel;
  /** The weight average, when the run keeps one (averageDecay > 0). */
  average?: tfTypes.LayersModel;
  adam: Adam;
  replay: ReplayBuffer;
  /** Every generator the run draws from, by name. */
  rngs: Record<string, Rng>;
}

/** Gathers the learner's full state into a Checkpoint (the replay buffer only if asked). */
export function snapshotLearner(
  parts: LearnerParts,
  step: number,
  state: Record<string, unknown>,
  withReplay: boolean,
): Checkpoint {
  const group = (name: string, ts: tfTypes.Tensor[]): TensorGroup => ({
    name,
    shapes: ts.map((t) => t.shape),
    arrays: ts.map((t) => t.dataSync() as Float32Array),
  });
  const adam = parts.adam.getState();
  const rngs = Object.fromEntries(Object.entries(parts.rngs).map(([k, r]) => [k, r.getState()]));
  return {
    step,
    state: { ...state, rngs, adamStep: adam.step },
    tensors: [
      group('online', parts.online.getWeights()),
      group('target', parts.target.getWeights()),
      ...(parts.average ? [group('average', parts.average.getWeights())] : []),
      {
        name: 'adam',
        shapes: [...parts.adam.variables, ...parts.adam.variables].map((v) => v.shape),
        arrays: adam.moments,
      },
    ],
    replay: withReplay ? parts.replay.serialize() : undefined,
  };
}

/** Puts a checkpoint's learner state back (networks, Adam, replay, generators). */
export async function restoreLearner(
  tf: Tf,
  parts: LearnerParts,
  checkpoint: LoadedCheckpoint,
): Promise<void> {
  const byName = new Map(checkpoint.tensors.map((g) => [g.name, g]));
  const groupOf = (name: string) => {
    const g = byName.get(name);
    if (!g) throw new Error(`checkpoint ${checkpoint.dir} has no ${name} tensors`);
    return g;
  };
  const models: [tfTypes.LayersModel, string][] = [
    [parts.online, 'online'],
    [parts.target, 'target'],
  ];
  if (parts.average) models.push([parts.average, 'average']);
  for (const [model, name] of models) {
    const g = groupOf(name);
    const tensors = g.arrays.map((a, i) => tf.tensor(a, g.shapes[i]));
    model.setWeights(tensors);
    tf.dispose(tensors);
  }
  const state = checkpoint.state as { adamStep: number; rngs: Record<string, RngState> };
  parts.adam.setState({ step: state.adamStep, moments: groupOf('adam').arrays });
  for (const [name, rng] of Object.entries(parts.rngs)) rng.setState(state.rngs[name]);
  const replay = checkpoint.replay;
  if (replay) {
    // Read straight into the buffer's arrays, in slices: the file can be larger than any Buffer.
    const handle = await open(replay.file, 'r');
    try {
      await parts.replay.restore(replay.header as ReplayHeader, async (target, offset) => {
        for (let done = 0; done < target.byteLength; ) {
          const want = Math.min(target.byteLength - done, 1 << 28);
          const { bytesRead } = await handle.read(target, done, want, offset + done);
          if (bytesRead === 0) throw new Error(`${replay.file} is truncated`);
          done += bytesRead;
        }
      });
    } finally {
      await handle.close();
    }
  }
}

/** Size of a file in bytes, 0 when it does not exist. */
export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
