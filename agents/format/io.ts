/**
 * Saving and loading agent folders (layout in `schema.ts`). Saving writes to a temporary folder
 * renamed into place; loading always goes through `checkAgentDir` and builds the model from memory
 * with `tf.io.fromMemory`, so it works on every backend and never fetches anything.
 */
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { Rng } from '../../emulators/rng.ts';
import { DqnAgent } from '../dqn/agent.ts';
import { getTf, type Tf } from '../dqn/tfBackend.ts';
import { type CheckOptions, checkAgentDir } from './check.ts';
import { AGENT_FORMAT_VERSION, type AgentMeta, agentMetaSchema } from './schema.ts';

export interface SaveAgentOptions {
  tf: Tf;
  model: tfTypes.LayersModel;
  /** Everything but formatVersion, versions and createdAt, which are filled in here. */
  meta: Omit<AgentMeta, 'formatVersion' | 'versions' | 'createdAt'> & {
    versions?: Record<string, string>;
  };
  /** A training log (JSON lines) to include as training-log.jsonl. */
  trainingLog?: string;
  /** Include only the log's first this many bytes (its lines up to a checkpoint). */
  trainingLogBytes?: number;
}

/** Writes an agent folder at `dir`, replacing what was there. */
export async function saveAgentDir(dir: string, options: SaveAgentOptions): Promise<void> {
  const meta = agentMetaSchema.parse({
    ...options.meta,
    formatVersion: AGENT_FORMAT_VERSION,
    versions: { ...packageVersions(), ...options.meta.versions },
    createdAt: new Date().toISOString(),
  });
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await options.model.save(
    options.tf.io.withSaveHandler(async (artifacts) => {
      const weights = options.tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${options.tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(tmp, 'model.json'), JSON.stringify(modelJson));
      await writeFile(join(tmp, 'weights.bin'), new Uint8Array(weights));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  await writeFile(join(tmp, 'agent.json'), `${JSON.stringify(meta, null, 2)}\n`);
  if (options.trainingLog && options.trainingLogBytes !== undefined) {
    const log = await readFile(options.trainingLog);
    await writeFile(join(tmp, 'training-log.jsonl'), log.subarray(0, options.trainingLogBytes));
  } else if (options.trainingLog) {
    await copyFile(options.trainingLog, join(tmp, 'training-log.jsonl'));
  }
  await mkdir(dirname(dir), { recursive: true });
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** Checks an agent folder and builds its model. */
export async function loadAgentModel(
  dir: string,
  options: CheckOptions & { tf?: Tf } = {},
): Promise<{ model: tfTypes.LayersModel; meta: AgentMeta }> {
  const checked = await checkAgentDir(dir, options);
  const tf = options.tf ?? (await getTf({ quiet: true })).tf;
  const model = await tf.loadLayersModel(tf.io.fromMemory(checked.artifacts));
  return { model, meta: checked.meta };
}

/** Loads an agent folder as a playing DqnAgent (greedy unless `epsilon` is given). */
export async function loadDqnAgent(
  dir: string,
  options: CheckOptions & { tf?: Tf; epsilon?: number; seed?: number } = {},
): Promise<{ agent: DqnAgent; meta: AgentMeta }> {
  const tf = options.tf ?? (await getTf({ quiet: true })).tf;
  const { model, meta } = await loadAgentModel(dir, { ...options, tf });
  const agent = new DqnAgent({
    tf,
    model,
    numActions: meta.actions.length,
    epsilon: options.epsilon ?? 0,
    rng: new Rng(options.seed ?? 0),
    name: meta.name,
  });
  return { agent, meta };
}

/** Versions of the packages an agent depends on, read from their package.json files. */
export function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = {};
  for (const name of ['@tensorflow/tfjs', 'arcade-arena']) {
    try {
      const path = name === 'arcade-arena' ? '../../package.json' : `${name}/package.json`;
      versions[name] = (require(path) as { version: string }).version;
    } catch {
      // A package that cannot be resolved is left out rather than guessed.
    }
  }
  return versions;
}
