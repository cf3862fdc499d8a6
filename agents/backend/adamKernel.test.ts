// The fused Adam step against the op-by-op form it replaces, on fast-cpu (native
// loop) and on plain cpu (JS loop): same weights and moments, bit for bit, over
// many steps with gradients of every sign and scale.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../emulators/rng.ts';
import { Adam } from '../dqn/adam.ts';
import { ADAM_STEP_KERNEL, hasAdamStepKernel } from './adamKernel.ts';
import { initBackend } from './index.ts';
import { FAST_CPU } from './kernels.ts';
import { loadAddon } from './native.ts';

const { addon } = loadAddon();
const inCi = process.env.CI === 'true';

/** Runs `steps` Adam steps with seeded gradients; returns weights, moments and the step count. */
function runAdam(fused: boolean, steps: number) {
  const rng = new Rng(11);
  const shapes = [[8, 8, 4, 16], [16], [2592, 33], [5]];
  const vars = shapes.map((shape, i) =>
    tf.variable(
      tf.tensor(
        Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => rng.next() * 2 - 1),
        shape,
      ),
      true,
      `adam-test-${fused}-${i}`,
    ),
  );
  const adam = new Adam(tf, vars, { learningRate: 2.5e-4, epsilon: 1e-8, fused });
  for (let s = 0; s < steps; s++) {
    // Scales from 1e-6 to 1e2 so sqrt, the epsilon and the bias corrections all matter.
    const scale = 10 ** (s % 9) * 1e-6;
    const grads = shapes.map((shape) =>
      tf.tensor(
        Float32Array.from(
          { length: tf.util.sizeFromShape(shape) },
          () => (rng.next() * 2 - 1) * scale,
        ),
        shape,
      ),
    );
    adam.apply(grads);
    tf.dispose(grads);
  }
  const weights = vars.map((v) => Float32Array.from(v.dataSync()));
  const state = adam.getState();
  adam.dispose();
  tf.dispose(vars);
  return { weights, moments: state.moments.map((m) => Float32Array.from(m)), step: state.step };
}

function expectSameBits(a: ReturnType<typeof runAdam>, b: ReturnType<typeof runAdam>) {
  expect(a.step).toBe(b.step);
  for (const [x, y] of [
    [a.weights, b.weights],
    [a.moments, b.moments],
  ]) {
    expect(x.length).toBe(y.length);
    for (const [i, arr] of x.entries()) {
      expect(Buffer.from(arr.buffer).equals(Buffer.from(y[i].buffer))).toBe(true);
    }
  }
}

describe('fused Adam step', () => {
  it('on cpu: the JS kernel gives the op-by-op weights and moments bit for bit', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    expect(hasAdamStepKernel()).toBe(true);
    const fused = runAdam(true, 30);
    const ops = runAdam(false, 30);
    expectSameBits(fused, ops);
    // And it moved the weights: a kernel that did nothing would fail here.
    const before = runAdam(true, 0);
    expect(Buffer.from(before.weights[0].buffer).equals(Buffer.from(fused.weights[0].buffer))).toBe(
      false,
    );
  });

  it.skipIf(!addon && !inCi)('on fast-cpu: the native kernel gives the op-by-op bits', async () => {
    await initBackend({ backend: FAST_CPU, quiet: true });
    expect(tf.getKernel(ADAM_STEP_KERNEL, FAST_CPU)).toBeDefined();
    const fused = runAdam(true, 60);
    const ops = runAdam(false, 60);
    expectSameBits(fused, ops);
    // The native and JS loops agree too (same arithmetic on both backends).
    await initBackend({ backend: 'cpu', quiet: true });
    expectSameBits(runAdam(true, 60), fused);
    await initBackend({ backend: FAST_CPU, quiet: true });
  });

  it('refuses inputs of different shapes with a clear error', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const w = tf.zeros([3]);
    const g = tf.zeros([4]);
    expect(() =>
      tf.engine().runKernel(ADAM_STEP_KERNEL, { w, g, m: w, v: w }, {
        beta1: 0.9,
        beta2: 0.999,
        lrT: 1e-3,
        bc2: 1e-3,
        epsilon: 1e-8,
      } as unknown as tf.NamedAttrMap),
    ).toThrow(/must be float32 of one shape/);
    tf.dispose([w, g]);
  });
});
