/**
 * The Q-network: pixels in, one value per action out.
 *
 * - `nature`: the network of Mnih et al. 2015 (Nature 518, "Human-level control through deep
 *   reinforcement learning"): conv 32@8x8/4, conv 64@4x4/2, conv 64@3x3/1, dense 512, linear head.
 * - `small`: conv 16@8x8/4, conv 32@4x4/2, dense 256 (the NIPS 2013 DQN net) for fast experiments
 *   and tests on the cpu backend.
 * - `dueling` (Wang et al. 2016): separate value and advantage heads, Q = V + A - mean(A). The
 *   combination is one frozen Dense layer over [V, A] rather than a custom layer, so a saved model
 *   uses only stock layer types (see the allow-list in `agents/format/schema.ts`).
 *
 * Input: float32 [batch, 84, 84, frameStack] (NHWC) holding raw 0..255 pixel values; the model
 * scales by 1/255 itself, so a saved model carries its own preprocessing. Environments produce
 * CHW stacks; `chwToNhwc` converts when a batch is built.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { deriveSeed } from '../../emulators/rng.ts';
import type { Tf } from './tfBackend.ts';

export type NetKind = 'nature' | 'small';
export const NET_KINDS: readonly NetKind[] = ['nature', 'small'];

export const FRAME_HEIGHT = 84;
export const FRAME_WIDTH = 84;
export const FRAME_SIZE = FRAME_HEIGHT * FRAME_WIDTH;

export interface QNetworkOptions {
  net: NetKind;
  numActions: number;
  dueling?: boolean;
  /** Frames per observation (channels of the input). */
  frameStack?: number;
  /** Seeds the weight initialisers, so a run's starting weights follow from its seed. */
  seed?: number;
}

interface ConvSpec {
  filters: number;
  kernel: number;
  stride: number;
}

const ARCHITECTURES: Record<NetKind, { convs: ConvSpec[]; hidden: number }> = {
  nature: {
    convs: [
      { filters: 32, kernel: 8, stride: 4 },
      { filters: 64, kernel: 4, stride: 2 },
      { filters: 64, kernel: 3, stride: 1 },
    ],
    hidden: 512,
  },
  small: {
    convs: [
      { filters: 16, kernel: 8, stride: 4 },
      { filters: 32, kernel: 4, stride: 2 },
    ],
    hidden: 256,
  },
};

/** Builds an uncompiled Q-network; training uses its own optimiser (`adam.ts`). */
export function buildQNetwork(tf: Tf, options: QNetworkOptions): tfTypes.LayersModel {
  const { net, numActions, dueling = false, frameStack = 4, seed = 0 } = options;
  if (!Number.isInteger(numActions) || numActions < 1) {
    throw new RangeError(`numActions must be a positive integer, got ${numActions}`);
  }
  const arch = ARCHITECTURES[net];
  if (!arch) throw new RangeError(`unknown network '${net}' (choose ${NET_KINDS.join(' or ')})`);
  // He initialisation for ReLU layers; each layer gets its own seed derived from the run's.
  const he = (name: string) => tf.initializers.heUniform({ seed: deriveSeed(seed, name) });
  const glorot = (name: string) => tf.initializers.glorotUniform({ seed: deriveSeed(seed, name) });

  const input = tf.input({ shape: [FRAME_HEIGHT, FRAME_WIDTH, frameStack], name: 'frames' });
  let x = tf.layers
    .rescaling({ scale: 1 / 255, name: 'scale' })
    .apply(input) as tfTypes.SymbolicTensor;
  arch.convs.forEach((c, i) => {
    const name = `conv${i + 1}`;
    x = tf.layers
      .conv2d({
        filters: c.filters,
        kernelSize: c.kernel,
        strides: c.stride,
        activation: 'relu',
        kernelInitializer: he(name),
        name,
      })
      .apply(x) as tfTypes.SymbolicTensor;
  });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers
    .dense({
      units: arch.hidden,
      activation: 'relu',
      kernelInitializer: he('hidden'),
      name: 'hidden',
    })
    .apply(x) as tfTypes.SymbolicTensor;

  let output: tfTypes.SymbolicTensor;
  if (!dueling) {
    output = tf.layers
      .dense({ units: numActions, kernelInitializer: glorot('q'), name: 'q' })
      .apply(x) as tfTypes.SymbolicTensor;
  } else {
    const value = tf.layers
      .dense({ units: 1, kernelInitializer: glorot('value'), name: 'value' })
      .apply(x) as tfTypes.SymbolicTensor;
    const advantage = tf.layers
      .dense({ units: numActions, kernelInitializer: glorot('advantage'), name: 'advantage' })
      .apply(x) as tfTypes.SymbolicTensor;
    const both = tf.layers
      .concatenate({ name: 'value_advantage' })
      .apply([value, advantage]) as tfTypes.SymbolicTensor;
    const combine = tf.layers.dense({
      units: numActions,
      useBias: false,
      trainable: false,
      kernelInitializer: 'zeros',
      name: 'q',
    });
    output = combine.apply(both) as tfTypes.SymbolicTensor;
    const kernel = tf.tensor2d(duelingMatrix(numActions), [numActions + 1, numActions]);
    combine.setWeights([kernel]);
    kernel.dispose();
  }
  return tf.model({
    inputs: input,
    outputs: output,
    name: `dqn_${net}${dueling ? '_dueling' : ''}`,
  });
}

/**
 * The value the model's input scaling (its `scale` layer: x * scale + offset, in float32) gives
 * each pixel byte: a 256-entry table, so a replay batch can be written already scaled, bit for
 * bit what the layer would compute (see `withoutInputScaling`).
 */
export function pixelValueTable(model: tfTypes.LayersModel): Float32Array {
  const config = model.getLayer('scale').getConfig() as { scale: number; offset?: number };
  const scale = Math.fround(config.scale);
  const offset = Math.fround(config.offset ?? 0);
  return Float32Array.from({ length: 256 }, (_, v) => Math.fround(v * scale) + offset);
}

/**
 * A view of `model` that takes already-scaled pixels (see `pixelValueTable`): the same layer
 * objects, hence the same weights, applied from the layer after `scale` on. Training feeds it
 * batches the replay memory scaled while it gathered them, which saves the scaling layer's two
 * passes over every input of every forward pass. The layers count their users: the weights are
 * freed once both the view and `model` are disposed.
 */
export function withoutInputScaling(tf: Tf, model: tfTypes.LayersModel): tfTypes.LayersModel {
  const scaleLayer = model.getLayer('scale');
  const shape = model.inputs[0].shape.slice(1) as number[];
  const input = tf.input({ shape, name: 'scaled_frames' });
  const outputs = new Map<string, tfTypes.SymbolicTensor>([[scaleLayer.name, input]]);
  // model.layers is in topological order; each layer takes the outputs its first (original)
  // node took, mapped onto the new graph.
  for (const layer of model.layers) {
    if (layer === scaleLayer || layer.getClassName() === 'InputLayer') continue;
    const inbound = layer.inboundNodes[0].inboundLayers.map((l) => {
      const t = outputs.get(l.name);
      if (!t) throw new Error(`withoutInputScaling: ${layer.name} reads ${l.name} before scale`);
      return t;
    });
    const out = layer.apply(inbound.length === 1 ? inbound[0] : inbound);
    outputs.set(layer.name, out as tfTypes.SymbolicTensor);
  }
  const output = outputs.get(model.outputLayers[0].name);
  if (!output) throw new Error('withoutInputScaling: the output layer was not reached');
  return tf.model({ inputs: input, outputs: output, name: `${model.name}_scaled` });
}

/**
 * The frozen kernel K of shape [1 + n, n] with [V, A_1..A_n] K = V + A - mean(A):
 * row 0 is all ones (adds V to every action), rows 1..n are I - 1/n (centres A).
 */
export function duelingMatrix(n: number): Float32Array {
  const k = new Float32Array((n + 1) * n);
  for (let j = 0; j < n; j++) k[j] = 1;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) k[(i + 1) * n + j] = (i === j ? 1 : 0) - 1 / n;
  }
  return k;
}

/**
 * Copies `count` CHW observations (each [frames, 84, 84], uint8) into `out` as NHWC float32
 * ([count, 84, 84, frames]), the layout the network takes.
 */
export function chwToNhwc(
  src: Uint8Array,
  count: number,
  out: Float32Array,
  frames = 4,
  frameSize = FRAME_SIZE,
): void {
  const obsSize = frames * frameSize;
  for (let b = 0; b < count; b++) {
    const base = b * obsSize;
    for (let c = 0; c < frames; c++) {
      const plane = base + c * frameSize;
      let o = base + c;
      for (let p = 0; p < frameSize; p++, o += frames) out[o] = src[plane + p];
    }
  }
}

/** Copies every weight of `from` into `to` (same architecture): the target network update. */
export function copyWeights(
  tf: Tf,
  to: tfTypes.LayersModel,
  from: tfTypes.LayersModel,
  tau = 1,
): void {
  if (tau >= 1) {
    to.setWeights(from.getWeights());
    return;
  }
  // Polyak averaging: target <- tau * online + (1 - tau) * target.
  const mixed = tf.tidy(() =>
    from.getWeights().map((w, i) => w.mul(tau).add(to.getWeights()[i].mul(1 - tau))),
  );
  to.setWeights(mixed);
  tf.dispose(mixed);
}
