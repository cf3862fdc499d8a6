import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../emulators/rng.ts';
import { DqnAgent } from './agent.ts';
import {
  buildQNetwork,
  chwToNhwc,
  duelingMatrix,
  pixelValueTable,
  withoutInputScaling,
} from './network.ts';
import { getTf, type TfHandle } from './tfBackend.ts';

let handle: TfHandle;
beforeAll(async () => {
  handle = await getTf({ quiet: true });
});

describe('Q-networks', () => {
  it('builds the Nature network with its parameter count', () => {
    const model = buildQNetwork(handle.tf, { net: 'nature', numActions: 4 });
    // conv 8x8x4x32, 4x4x32x64, 3x3x64x64, dense 7*7*64 -> 512, 512 -> 4, each with biases.
    const expected =
      8 * 8 * 4 * 32 +
      32 +
      (4 * 4 * 32 * 64 + 64) +
      (3 * 3 * 64 * 64 + 64) +
      (3136 * 512 + 512) +
      (512 * 4 + 4);
    expect(model.countParams()).toBe(expected);
    expect(model.inputs[0].shape).toEqual([null, 84, 84, 4]);
    expect(model.outputs[0].shape).toEqual([null, 4]);
    model.dispose();
  });

  it('a view without input scaling gives the same Q-values, bit for bit, from pre-scaled pixels', () => {
    const { tf } = handle;
    for (const dueling of [false, true]) {
      const model = buildQNetwork(tf, { net: 'small', numActions: 5, dueling, seed: 3 });
      const view = withoutInputScaling(tf, model);
      const table = pixelValueTable(model);
      expect(table[0]).toBe(0);
      expect(table[255]).toBe(Math.fround(255 * Math.fround(1 / 255)));
      const rng = new Rng(9);
      const raw = Float32Array.from({ length: 3 * 84 * 84 * 4 }, () => rng.int(256));
      const scaled = raw.map((v) => table[v]);
      const run = (m: typeof model, x: Float32Array) =>
        tf.tidy(() =>
          (m.apply(tf.tensor4d(x, [3, 84, 84, 4])) as import('@tensorflow/tfjs').Tensor)
            .dataSync()
            .slice(),
        );
      const q = run(model, raw);
      expect(run(view, scaled)).toEqual(q);
      // The view shares the weights: changing the model's changes the view's answers too.
      expect(view.trainableWeights.length).toBe(model.trainableWeights.length);
      const halved = tf.tidy(() => model.getWeights().map((w) => w.mul(0.5)));
      model.setWeights(halved);
      tf.dispose(halved);
      expect(run(view, scaled)).not.toEqual(q);
      expect(run(view, scaled)).toEqual(run(model, raw));
      const before = tf.memory().numTensors;
      view.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBeLessThan(before);
    }
  });

  it('starts from the same weights for the same seed and different ones otherwise', () => {
    const { tf } = handle;
    const weights = (seed: number) => {
      const m = buildQNetwork(tf, { net: 'small', numActions: 3, seed });
      const w = m.getWeights()[0].dataSync().slice();
      m.dispose();
      return w;
    };
    expect(weights(7)).toEqual(weights(7));
    expect(weights(7)).not.toEqual(weights(8));
  });

  it('combines dueling heads as V + A - mean(A) with a frozen layer', () => {
    const n = 5;
    const k = duelingMatrix(n);
    const rng = new Rng(2);
    const v = rng.next();
    const a = Array.from({ length: n }, () => rng.next() - 0.5);
    const meanA = a.reduce((s, x) => s + x, 0) / n;
    for (let j = 0; j < n; j++) {
      let q = v * k[j];
      for (let i = 0; i < n; i++) q += a[i] * k[(i + 1) * n + j];
      expect(q).toBeCloseTo(v + a[j] - meanA, 6);
    }
    const model = buildQNetwork(handle.tf, { net: 'small', numActions: n, dueling: true });
    expect(model.outputs[0].shape).toEqual([null, n]);
    expect(model.getLayer('q').trainable).toBe(false);
    expect(model.trainableWeights.map((w) => w.originalName)).not.toContain('q/kernel');
    model.dispose();
  });

  it('converts CHW stacks to NHWC', () => {
    // Two observations of 3 frames of 2 pixels: value = 100*b + 10*c + p.
    const src = Uint8Array.from(
      { length: 12 },
      (_, i) => 100 * Math.floor(i / 6) + 10 * Math.floor((i % 6) / 2) + (i % 2),
    );
    const out = new Float32Array(12);
    chwToNhwc(src, 2, out, 3, 2);
    expect(Array.from(out)).toEqual([0, 10, 20, 1, 11, 21, 100, 110, 120, 101, 111, 121]);
  });
});

describe('DqnAgent', () => {
  it('acts greedily at epsilon 0 and uniformly at epsilon 1', () => {
    const { tf } = handle;
    const model = buildQNetwork(tf, { net: 'small', numActions: 3, seed: 4 });
    const agent = new DqnAgent({ tf, model, numActions: 3, rng: new Rng(1) });
    const rng = new Rng(3);
    const obs = Uint8Array.from({ length: 2 * 4 * 84 * 84 }, () => rng.int(256));
    const q = agent.qValuesBatch(obs, 2);
    const out = new Int32Array(2);
    agent.actBatch(obs, 2, out);
    for (let i = 0; i < 2; i++) {
      const row = Array.from(q.subarray(i * 3, i * 3 + 3));
      expect(out[i]).toBe(row.indexOf(Math.max(...row)));
    }
    agent.epsilon = 1;
    const counts = [0, 0, 0];
    const one = obs.subarray(0, 4 * 84 * 84);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 300; i++) counts[agent.act(one)]++;
    expect(tf.memory().numTensors).toBe(before);
    for (const c of counts) expect(c).toBeGreaterThan(60);
    agent.dispose();
  });
});
