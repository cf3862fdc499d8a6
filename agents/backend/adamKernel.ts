// One Adam step over one variable as a single kernel. Written op by op
// (agents/dqn/adam.ts), a step is 13 kernels over every parameter; on fast-cpu
// that was most of the elementwise time of a small-net DQN update. The kernel
// computes exactly what the op chain computes, in float32, in the same order:
//   m' = m b1 + g (1 - b1); v' = v b2 + g^2 (1 - b2);
//   w' = w - m' lrT / (sqrt(v' / bc2) + eps)   (lrT = lr / (1 - b1^t), bc2 = 1 - b2^t)
// so a run gives the same weights bit for bit with or without it. fast-cpu runs
// it natively; the plain cpu backend gets the same arithmetic in JS (Math.fround
// after every operation is float32 arithmetic exactly). Other backends keep the
// op chain: adam.ts asks `hasAdamStepKernel` first.
import * as tf from '@tensorflow/tfjs';
import { type CpuBackend, isF32, valuesOf } from './kernels.ts';
import type { FastCpuAddon } from './native.ts';
import { allocOutput } from './pool.ts';

export const ADAM_STEP_KERNEL = 'ArenaAdamStep';

export interface AdamStepAttrs {
  beta1: number;
  beta2: number;
  /** lr / (1 - beta1^t), computed in float64 by the caller. */
  lrT: number;
  /** 1 - beta2^t. */
  bc2: number;
  epsilon: number;
}

/** The scalars as the op chain's float32 scalar tensors hold them. */
function scalarsOf(a: AdamStepAttrs): Float32Array {
  return Float32Array.from([a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.lrT, a.bc2, a.epsilon]);
}

/** The same arithmetic as the native loop, in JS. */
function adamStepJs(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  wOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  k: Float32Array,
): void {
  const f = Math.fround;
  const [b1, c1, b2, c2, lrT, bc2, eps] = k;
  for (let i = 0; i < wOut.length; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * b1) + f(gi * c1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * c2));
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = f(w[i] - f(f(mi * lrT) / f(f(Math.sqrt(f(vi / bc2))) + eps)));
  }
}

function adamStepKernel(addon: FastCpuAddon | null): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as CpuBackend;
    const { w, g, m, v } = args.inputs as Record<'w' | 'g' | 'm' | 'v', tf.TensorInfo>;
    for (const t of [w, g, m, v]) {
      if (!isF32(backend, t) || !tf.util.arraysEqual(t.shape, w.shape)) {
        throw new Error(`${ADAM_STEP_KERNEL}: w, g, m and v must be float32 of one shape`);
      }
    }
    const n = tf.util.sizeFromShape(w.shape);
    const outs = [allocOutput(backend, n), allocOutput(backend, n), allocOutput(backend, n)];
    const run = addon ? addon.adamStep.bind(addon) : adamStepJs;
    run(
      valuesOf(backend, w),
      valuesOf(backend, g),
      valuesOf(backend, m),
      valuesOf(backend, v),
      outs[0],
      outs[1],
      outs[2],
      scalarsOf(args.attrs as unknown as AdamStepAttrs),
    );
    return outs.map((values) => backend.makeTensorInfo(w.shape.slice(), 'float32', values));
  };
}

/**
 * Registers the kernel for `backendName` (fast-cpu with its addon, or cpu with the JS loop).
 * An addon built before the kernel existed has no `adamStep`: nothing is registered then.
 */
export function registerAdamStepKernel(backendName: string, addon: FastCpuAddon | null): void {
  if (tf.getKernel(ADAM_STEP_KERNEL, backendName)) return;
  if (addon && typeof addon.adamStep !== 'function') return;
  tf.registerKernel({
    kernelName: ADAM_STEP_KERNEL,
    backendName,
    kernelFunc: adamStepKernel(addon),
  });
}

/** Whether the active backend has the fused step. */
export function hasAdamStepKernel(): boolean {
  return tf.getKernel(ADAM_STEP_KERNEL, tf.getBackend()) !== undefined;
}

/** Runs the fused step: returns [w', m', v'] as new tensors. */
export function adamStep(
  w: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  attrs: AdamStepAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf
    .engine()
    .runKernel(ADAM_STEP_KERNEL, { w, g, m, v }, attrs as unknown as tf.NamedAttrMap) as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
}
