// A DQN update as the benchmark, the tests and the profiler run it: a Q-network
// built with tf.layers (uint8 frames scaled inside the model, NHWC), Adam, Huber
// loss, Double DQN targets (one online and one target forward on the next states).
// It only uses public tfjs APIs so it runs unchanged on every backend.
import type * as tfjs from '@tensorflow/tfjs';
import { Rng } from '../../emulators/rng.ts';

type TF = typeof tfjs;

export interface QNetSpec {
  /** [filters, kernel, stride] per conv layer. */
  convs: Array<[number, number, number]>;
  dense: number;
  actions: number;
  /** NHWC input: [height, width, stacked frames]. */
  input: [number, number, number];
}

/** Mnih et al. 2015. */
export const NATURE_CNN: QNetSpec = {
  convs: [
    [32, 8, 4],
    [64, 4, 2],
    [64, 3, 1],
  ],
  dense: 512,
  actions: 6,
  input: [84, 84, 4],
};

/** The smaller net of Mnih et al. 2013. */
export const SMALL_CNN: QNetSpec = {
  convs: [
    [16, 8, 4],
    [32, 4, 2],
  ],
  dense: 256,
  actions: 6,
  input: [84, 84, 4],
};

export function buildQNet(tf: TF, spec: QNetSpec, seed = 1): tfjs.LayersModel {
  const layers: tfjs.layers.Layer[] = [
    tf.layers.rescaling({ scale: 1 / 255, inputShape: spec.input, dtype: 'float32' }),
  ];
  spec.convs.forEach(([filters, kernelSize, strides], i) => {
    layers.push(
      tf.layers.conv2d({
        filters,
        kernelSize,
        strides,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
      }),
    );
  });
  layers.push(tf.layers.flatten());
  layers.push(
    tf.layers.dense({
      units: spec.dense,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 10 }),
    }),
  );
  layers.push(
    tf.layers.dense({
      units: spec.actions,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 11 }),
    }),
  );
  return tf.sequential({ layers });
}

export interface Batch {
  obs: tfjs.Tensor4D;
  nextObs: tfjs.Tensor4D;
  actions: tfjs.Tensor1D;
  rewards: tfjs.Tensor1D;
  dones: tfjs.Tensor1D;
}

/** Random frames as a replay buffer would hand them over: uint8 pixels in a float32 tensor. */
export function randomBatch(tf: TF, spec: QNetSpec, batch: number, seed: number): Batch {
  const rng = new Rng(seed);
  const [h, w, c] = spec.input;
  const frames = (): tfjs.Tensor4D => {
    const px = new Uint8Array(batch * h * w * c);
    for (let i = 0; i < px.length; i++) px[i] = rng.int(256);
    return tf.tensor4d(Float32Array.from(px), [batch, h, w, c]);
  };
  const actions = Int32Array.from({ length: batch }, () => rng.int(spec.actions));
  return {
    obs: frames(),
    nextObs: frames(),
    actions: tf.tensor1d(actions, 'int32'),
    rewards: tf.tensor1d(Float32Array.from({ length: batch }, () => rng.next() * 2 - 1)),
    dones: tf.tensor1d(Float32Array.from({ length: batch }, () => (rng.next() < 0.1 ? 1 : 0))),
  };
}

export function disposeBatch(b: Batch): void {
  for (const t of [b.obs, b.nextObs, b.actions, b.rewards, b.dones]) t.dispose();
}

export interface DqnTrainer {
  online: tfjs.LayersModel;
  target: tfjs.LayersModel;
  optimizer: tfjs.Optimizer;
  /** One gradient step; returns the loss tensor's value only when asked (it syncs). */
  update(b: Batch, readLoss?: boolean): number | undefined;
  dispose(): void;
}

export interface TrainerOptions {
  seed?: number;
  lr?: number;
  gamma?: number;
  /** Adam is what DQN uses; SGD moves weights in proportion to the gradient, for exact comparisons. */
  optimizer?: 'adam' | 'sgd';
}

export function makeTrainer(tf: TF, spec: QNetSpec, opts: TrainerOptions = {}): DqnTrainer {
  const { seed = 1, lr = 1e-4, gamma = 0.99 } = opts;
  const online = buildQNet(tf, spec, seed);
  const target = buildQNet(tf, spec, seed);
  target.setWeights(online.getWeights());
  const optimizer =
    opts.optimizer === 'sgd' ? tf.train.sgd(lr) : tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const vars = online.trainableWeights.map((w) => w.read() as tfjs.Variable);
  return {
    online,
    target,
    optimizer,
    update(b, readLoss = false) {
      const y = tf.tidy(() => {
        const nextOnline = online.predict(b.nextObs) as tfjs.Tensor2D;
        const nextTarget = target.predict(b.nextObs) as tfjs.Tensor2D;
        const best = tf.oneHot(tf.argMax(nextOnline, 1), spec.actions);
        const nextQ = tf.sum(tf.mul(nextTarget, best), 1);
        return tf.add(b.rewards, tf.mul(tf.mul(tf.sub(1, b.dones), gamma), nextQ));
      });
      const mask = tf.oneHot(b.actions, spec.actions);
      const loss = optimizer.minimize(
        () => {
          const q = online.apply(b.obs, { training: true }) as tfjs.Tensor2D;
          const qa = tf.sum(tf.mul(q, mask), 1);
          return tf.losses.huberLoss(y, qa) as tfjs.Scalar;
        },
        readLoss,
        vars,
      );
      y.dispose();
      mask.dispose();
      if (!loss) return undefined;
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    },
    dispose() {
      online.dispose();
      target.dispose();
      optimizer.dispose();
    },
  };
}
