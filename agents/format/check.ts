/**
 * `checkAgentDir`: validates a submitted agent folder before anything in it is used. The CLI's
 * `arena agent check` and the server's upload path call this same function. Every failure is a
 * UserError (code AGENT_INVALID) whose message names the file and the problem.
 *
 * Order: folder listing (no links, no subfolders, no unknown files), sizes, agent.json schema,
 * model.json structure and layer allow-list, input shape, weight files against the manifest,
 * then the model is built in memory (never through a URL handler) to check its output count.
 */
import { readFileSync, type Stats, statSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { formatZodError, UserError } from '../../emulators/errors.ts';
import { getTf } from '../dqn/tfBackend.ts';
import {
  type AgentMeta,
  ALLOWED_ACTIVATIONS,
  ALLOWED_LAYERS,
  agentMetaSchema,
  LIMITS,
  OPTIONAL_FILES,
} from './schema.ts';

export interface CheckOptions {
  /** The game's action set (names, in order) or just its size; the agent must match it. */
  expectedActions?: readonly string[] | number;
  /** The game the agent must be for. */
  expectedGame?: string;
}

export interface CheckedAgent {
  meta: AgentMeta;
  /** Topology and weights, ready for `tf.io.fromMemory`. */
  artifacts: tfTypes.io.ModelArtifacts;
  /** The files of the folder, all validated. */
  files: string[];
}

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};
const WEIGHT_FILE = /^[\w.-]+\.bin$/;

function fail(dir: string, message: string): never {
  throw new UserError(`agent ${dir}: ${message}`, 'AGENT_INVALID');
}

export async function checkAgentDir(
  dir: string,
  options: CheckOptions = {},
): Promise<CheckedAgent> {
  let dirStat: Stats;
  try {
    dirStat = await lstat(dir);
  } catch {
    fail(dir, 'folder not found');
  }
  if (!dirStat.isDirectory()) fail(dir, 'not a folder');
  const names = (await readdir(dir)).sort();
  if (names.length > LIMITS.files)
    fail(dir, `holds ${names.length} files; at most ${LIMITS.files} are allowed`);
  const sizes = new Map<string, number>();
  for (const name of names) {
    const s = await lstat(join(dir, name));
    if (!s.isFile())
      fail(dir, `${name} is not a plain file (links and subfolders are not allowed)`);
    sizes.set(name, s.size);
  }
  for (const required of ['agent.json', 'model.json']) {
    if (!sizes.has(required)) fail(dir, `missing ${required}`);
  }

  const meta = parseMeta(dir, await readLimited(dir, 'agent.json', sizes, LIMITS.agentJson));
  const modelJson = parseJson(
    dir,
    'model.json',
    await readLimited(dir, 'model.json', sizes, LIMITS.modelJson),
  );
  const { topology, groups } = checkModelJson(dir, modelJson);

  // Files: exactly agent.json, model.json, the listed weight files and the optional extras.
  const weightFiles = groups.flatMap((g) => g.paths);
  const allowed = new Set<string>(['agent.json', 'model.json', ...weightFiles, ...OPTIONAL_FILES]);
  for (const name of names) if (!allowed.has(name)) fail(dir, `unexpected file ${name}`);
  for (const name of OPTIONAL_FILES) {
    const limit = name === 'README.md' ? LIMITS.readme : LIMITS.trainingLog;
    if ((sizes.get(name) ?? 0) > limit)
      fail(dir, `${name} is ${sizes.get(name)} bytes; the limit is ${limit}`);
  }

  // Weights: every listed file present, sizes as the manifest says, total under the limit.
  let total = 0;
  for (const group of groups) {
    let expected = 0;
    for (const w of group.weights) {
      const dtype = w.quantization?.dtype ?? w.dtype ?? 'float32';
      const bytes = DTYPE_BYTES[dtype];
      if (!bytes) fail(dir, `model.json: weight ${w.name} has unsupported dtype ${dtype}`);
      expected += w.shape.reduce((a, b) => a * b, 1) * bytes;
    }
    let actual = 0;
    for (const path of group.paths) {
      if (!sizes.has(path)) fail(dir, `missing weight file ${path} (listed in model.json)`);
      actual += sizes.get(path)!;
    }
    if (actual !== expected) {
      fail(
        dir,
        `weight files ${group.paths.join(', ')} hold ${actual} bytes but model.json describes ${expected}`,
      );
    }
    total += actual;
  }
  if (total > LIMITS.weightsTotal)
    fail(dir, `weights are ${total} bytes; the limit is ${LIMITS.weightsTotal}`);

  // Actions and game.
  if (options.expectedGame !== undefined && meta.game !== options.expectedGame) {
    fail(dir, `agent.json says game ${meta.game}, expected ${options.expectedGame}`);
  }
  const expected = options.expectedActions;
  if (typeof expected === 'number' && meta.actions.length !== expected) {
    fail(dir, `agent has ${meta.actions.length} actions but the game has ${expected}`);
  }
  if (Array.isArray(expected) && meta.actions.join(',') !== expected.join(',')) {
    fail(
      dir,
      `agent's actions [${meta.actions.join(', ')}] do not match the game's [${expected.join(', ')}]`,
    );
  }

  const weightData = await readWeights(dir, weightFiles, total);
  const artifacts: tfTypes.io.ModelArtifacts = {
    modelTopology: topology,
    weightSpecs: groups.flatMap((g) => g.weights) as tfTypes.io.WeightsManifestEntry[],
    weightData,
    format: 'layers-model',
  };
  await checkBuiltModel(dir, artifacts, meta.actions.length);
  return { meta, artifacts, files: names };
}

async function readLimited(
  dir: string,
  name: string,
  sizes: Map<string, number>,
  limit: number,
): Promise<string> {
  const size = sizes.get(name)!;
  if (size > limit) fail(dir, `${name} is ${size} bytes; the limit is ${limit}`);
  return readFile(join(dir, name), 'utf8');
}

function parseJson(dir: string, name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(dir, `${name} is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * An agent folder's agent.json alone, read and validated (size limit and schema) without the
 * model: enough to know which game a folder is for. Throws AgentFormatError as `checkAgentDir`.
 */
export function readAgentMeta(dir: string): AgentMeta {
  const path = join(dir, 'agent.json');
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    fail(dir, 'missing agent.json');
  }
  if (size > LIMITS.agentJson)
    fail(dir, `agent.json is ${size} bytes; the limit is ${LIMITS.agentJson}`);
  return parseMeta(dir, readFileSync(path, 'utf8'));
}

function parseMeta(dir: string, text: string): AgentMeta {
  const parsed = agentMetaSchema.safeParse(parseJson(dir, 'agent.json', text));
  if (!parsed.success) {
    fail(dir, `agent.json: ${formatZodError(parsed.error, '(root)')}`);
  }
  return parsed.data;
}

interface WeightGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype?: string; quantization?: { dtype: string } }[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkModelJson(dir: string, json: unknown): { topology: Json; groups: WeightGroup[] } {
  if (!isObject(json)) fail(dir, 'model.json must be an object');
  const topology = json.modelTopology;
  if (!isObject(topology)) fail(dir, 'model.json has no modelTopology');
  if (!Array.isArray(json.weightsManifest)) fail(dir, 'model.json has no weightsManifest');
  const groups = json.weightsManifest as WeightGroup[];
  for (const group of groups) {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      fail(dir, 'model.json: each weightsManifest entry needs paths and weights');
    }
    for (const path of group.paths) {
      if (typeof path !== 'string' || !WEIGHT_FILE.test(path)) {
        fail(
          dir,
          `model.json: weight path ${JSON.stringify(path)} must be a plain file name ending in .bin`,
        );
      }
    }
    for (const w of group.weights) {
      if (
        !isObject(w) ||
        typeof w.name !== 'string' ||
        !Array.isArray(w.shape) ||
        !w.shape.every((d) => Number.isInteger(d) && d >= 0)
      ) {
        fail(dir, 'model.json: each weight needs a name and a shape of non-negative integers');
      }
    }
  }
  // Keras-style topology: { class_name: 'Model' | 'Functional' | 'Sequential', config: { layers } }.
  const model = (isObject(topology.model_config) ? topology.model_config : topology) as Json;
  if (!['Model', 'Functional', 'Sequential'].includes(String(model.class_name))) {
    fail(dir, `model.json: unsupported model class ${JSON.stringify(model.class_name)}`);
  }
  const config = model.config as Json | unknown[];
  const layers = (Array.isArray(config) ? config : isObject(config) ? config.layers : undefined) as
    | unknown[]
    | undefined;
  if (!Array.isArray(layers) || layers.length === 0)
    fail(dir, 'model.json: the model has no layers');
  for (const layer of layers) {
    if (!isObject(layer)) fail(dir, 'model.json: a layer entry is not an object');
    const type = String(layer.class_name);
    const name = isObject(layer.config) ? String(layer.config.name) : '?';
    if (!ALLOWED_LAYERS.has(type)) {
      fail(
        dir,
        `model.json: layer ${name} has type ${type}, which is not allowed (allowed: ${[...ALLOWED_LAYERS].join(', ')})`,
      );
    }
    checkActivations(dir, name, layer.config);
  }
  checkInputShape(dir, layers as Json[]);
  return { topology, groups };
}

/** Rejects activations other than the built-in names (a serialised activation could be anything). */
function checkActivations(dir: string, layer: string, value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) checkActivations(dir, layer, v);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, v] of Object.entries(value)) {
    if (key === 'activation' && !(typeof v === 'string' && ALLOWED_ACTIVATIONS.has(v))) {
      fail(
        dir,
        `model.json: layer ${layer} uses activation ${JSON.stringify(v)}, which is not allowed`,
      );
    }
    checkActivations(dir, layer, v);
  }
}

function checkInputShape(dir: string, layers: Json[]): void {
  const inputs = layers.filter((l) => l.class_name === 'InputLayer');
  const first = layers[0].config as Json;
  // Sequential models may declare the input on their first layer instead of an InputLayer.
  const shapes = inputs.length
    ? inputs.map((l) => (l.config as Json).batch_input_shape)
    : [first.batch_input_shape];
  if (shapes.length !== 1)
    fail(dir, `model.json: the model must have one input, found ${shapes.length}`);
  const shape = shapes[0];
  if (!Array.isArray(shape) || JSON.stringify(shape) !== JSON.stringify([null, 84, 84, 4])) {
    fail(
      dir,
      `model.json: input shape is ${JSON.stringify(shape)}; expected [null,84,84,4] (NHWC, 4 frames of 84x84)`,
    );
  }
}

async function readWeights(dir: string, files: string[], total: number): Promise<ArrayBuffer> {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const file of files) {
    const bytes = await readFile(join(dir, file));
    out.set(bytes, offset);
    offset += bytes.byteLength;
  }
  return out.buffer;
}

async function checkBuiltModel(
  dir: string,
  artifacts: tfTypes.io.ModelArtifacts,
  actions: number,
): Promise<void> {
  const { tf } = await getTf({ quiet: true });
  let model: tfTypes.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    fail(dir, `model.json could not be built: ${(error as Error).message}`);
  }
  try {
    if (model.outputs.length !== 1)
      fail(dir, `the model must have one output, found ${model.outputs.length}`);
    const shape = model.outputs[0].shape;
    if (shape.length !== 2 || shape[1] !== actions) {
      fail(
        dir,
        `the model outputs shape ${JSON.stringify(shape)} but agent.json lists ${actions} actions`,
      );
    }
  } finally {
    model.dispose();
  }
}
