// Native elementwise and reduction kernels for `fast-cpu`. The cpu backend's JS
// loops cost several ns per element and its broadcasting path computes indices
// per element; Adam alone runs ~13 such ops over every parameter each step.
// Only float32 and the broadcasts that occur in practice (same shape, scalar,
// a trailing-axes operand such as a bias) go native; the rest stays on cpu.
import * as tf from '@tensorflow/tfjs';
import { type CpuBackend, cpuKernel, isF32, valuesOf } from './kernels.ts';
import type { FastCpuAddon } from './native.ts';
import { allocOutput } from './pool.ts';

type TensorInfo = tf.TensorInfo;

/** Must match BinaryOp in native/elementwise.h. */
const BINARY_OPS: Record<string, number> = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  Maximum: 4,
  Minimum: 5,
  SquaredDifference: 6,
};

/** Must match UnaryOp in native/elementwise.h. */
const UNARY_OPS: Record<string, number> = {
  Sqrt: 0,
  Square: 1,
  Relu: 2,
  Step: 3,
  Neg: 4,
  Abs: 5,
  Exp: 6,
  Log: 7,
  Rsqrt: 8,
};

const SAME = 0;
const SCALAR_A = 1;
const SCALAR_B = 2;
const ROW_B = 3;
const ROW_A = 4;

/** True when `small` (leading 1s ignored) equals the trailing axes of `big`. */
function isTrailing(small: number[], big: number[]): boolean {
  let s = 0;
  while (s < small.length && small[s] === 1) s++;
  const rest = small.slice(s);
  if (rest.length > big.length) return false;
  const tail = big.slice(big.length - rest.length);
  return rest.every((d, i) => d === tail[i]);
}

/** Broadcast mode and repeated-row length, or null when only the cpu kernel handles it. */
export function broadcastMode(
  a: number[],
  b: number[],
): { mode: number; row: number; shape: number[] } | null {
  const sizeA = tf.util.sizeFromShape(a);
  const sizeB = tf.util.sizeFromShape(b);
  if (tf.util.arraysEqual(a, b)) return { mode: SAME, row: 1, shape: a };
  const shape = tf.broadcast_util.assertAndGetBroadcastShape(a, b);
  const size = tf.util.sizeFromShape(shape);
  if (sizeA === size && sizeB === size) return { mode: SAME, row: 1, shape };
  if (sizeB === 1 && sizeA === size) return { mode: SCALAR_B, row: 1, shape };
  if (sizeA === 1 && sizeB === size) return { mode: SCALAR_A, row: 1, shape };
  if (sizeA === size && sizeB > 0 && isTrailing(b, shape))
    return { mode: ROW_B, row: sizeB, shape };
  if (sizeB === size && sizeA > 0 && isTrailing(a, shape))
    return { mode: ROW_A, row: sizeA, shape };
  return null;
}

function binaryKernel(addon: FastCpuAddon, name: string, op: number): tf.KernelFunc {
  const fallback = cpuKernel(name);
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (!isF32(args.backend, a) || !isF32(args.backend, b)) return fallback(args);
    const plan = broadcastMode(a.shape, b.shape);
    if (!plan) return fallback(args);
    const backend = args.backend as CpuBackend;
    const out = allocOutput(backend, tf.util.sizeFromShape(plan.shape));
    if (out.length > 0) {
      addon.binary(op, valuesOf(backend, a), valuesOf(backend, b), out, plan.mode, plan.row);
    }
    return backend.makeTensorInfo(plan.shape, 'float32', out);
  };
}

function unaryKernel(addon: FastCpuAddon, name: string, op: number): tf.KernelFunc {
  const fallback = cpuKernel(name);
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (!isF32(args.backend, x)) return fallback(args);
    const backend = args.backend as CpuBackend;
    const out = allocOutput(backend, tf.util.sizeFromShape(x.shape));
    const alpha = (args.attrs?.alpha as number | undefined) ?? 0;
    if (out.length > 0) addon.unary(op, valuesOf(backend, x), out, alpha);
    return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
  };
}

/** Sum over a leading or trailing run of axes; other axis sets go to the cpu kernel. */
function sumKernel(addon: FastCpuAddon): tf.KernelFunc {
  const fallback = cpuKernel('Sum');
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (!isF32(args.backend, x)) return fallback(args);
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((p, q) => p - q);
    if (axes.length === 0 || tf.util.sizeFromShape(x.shape) === 0) return fallback(args);
    const contiguous = axes.every((v, i) => v === axes[0] + i);
    const leading = contiguous && axes[0] === 0;
    const trailing = contiguous && axes[axes.length - 1] === rank - 1;
    if (!leading && !trailing) return fallback(args);
    const reduced = tf.util.sizeFromShape(axes.map((ax) => x.shape[ax]));
    const kept = tf.util.sizeFromShape(x.shape) / reduced;
    const shape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    const backend = args.backend as CpuBackend;
    const out = allocOutput(backend, kept);
    // A full reduction is both leading and trailing; the row form keeps it one pass.
    if (trailing) addon.sumReduce(valuesOf(backend, x), out, kept, reduced, false);
    else addon.sumReduce(valuesOf(backend, x), out, reduced, kept, true);
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

/** Kernel name to replacement, registered over the cpu ones for `fast-cpu`. */
export function elementwiseKernels(addon: FastCpuAddon): Record<string, tf.KernelFunc> {
  const out: Record<string, tf.KernelFunc> = {};
  for (const [name, op] of Object.entries(BINARY_OPS)) out[name] = binaryKernel(addon, name, op);
  for (const [name, op] of Object.entries(UNARY_OPS)) out[name] = unaryKernel(addon, name, op);
  out.Sum = sumKernel(addon);
  return out;
}

export const ELEMENTWISE_KERNELS = [...Object.keys(BINARY_OPS), ...Object.keys(UNARY_OPS), 'Sum'];
