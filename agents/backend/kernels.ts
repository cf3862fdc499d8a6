// The `fast-cpu` backend: tfjs's own cpu backend (same MathBackendCPU class,
// same storage, every kernel it has) with the kernels a DQN update spends its
// time in replaced by native ones. Replacements only take the cases they were
// written for (float32, NHWC, bias along the last axis, linear/relu) and hand
// everything else to the cpu kernel they replace, so behaviour never narrows.
import * as tf from '@tensorflow/tfjs';
import { elementwiseKernels } from './elementwise.ts';
import type { ConvParams, FastCpuAddon, NativeActivation } from './native.ts';
import { allocOutput, attachPool, BufferPool, type PoolOptions } from './pool.ts';

export const FAST_CPU = 'fast-cpu';

type KernelFunc = tf.KernelFunc;
type KernelArgs = Parameters<KernelFunc>[0];
type TensorInfo = tf.TensorInfo;

/** The parts of tfjs-backend-cpu's MathBackendCPU the kernels use. */
export interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: unknown): TensorInfo;
  disposeIntermediateTensorInfo(info: TensorInfo): void;
}

export function valuesOf(backend: CpuBackend, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

/**
 * True when the addon can read `t` as float32. The dtype alone is not enough:
 * the cpu backend sometimes stores float32 tensors in other arrays (a cast from
 * bool keeps its Uint8Array), which the addon would misread.
 */
export function isF32(backend: unknown, t: TensorInfo | undefined): t is TensorInfo {
  return (
    t !== undefined &&
    t.dtype === 'float32' &&
    (backend as CpuBackend).data.get(t.dataId).values instanceof Float32Array
  );
}

/** The cpu kernel registered under `name`; replacements fall back to it. */
export function cpuKernel(name: string): KernelFunc {
  const config = tf.getKernel(name, 'cpu');
  if (!config) throw new Error(`tfjs cpu backend has no ${name} kernel`);
  return config.kernelFunc;
}

function runCpu(name: string, args: KernelArgs): TensorInfo {
  return cpuKernel(name)(args) as TensorInfo;
}

function convParams(info: tf.backend_util.Conv2DInfo): ConvParams {
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    c: info.inChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    oc: info.outChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    pt: info.padInfo.top,
    pl: info.padInfo.left,
  };
}

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
  dilations: [number, number] | number = attrs.dilations,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
}

/**
 * Which epilogue the addon can fuse: a bias along the last axis (or none) and a
 * linear or relu activation. Null when the cpu kernels must apply it.
 */
function nativeEpilogue(
  backend: CpuBackend,
  bias: TensorInfo | undefined,
  channels: number,
  activation: string | undefined,
): { act: NativeActivation } | null {
  if (bias !== undefined) {
    if (!isF32(backend, bias) || tf.util.sizeFromShape(bias.shape) !== channels) return null;
    if (bias.shape.length > 1 && bias.shape.slice(0, -1).some((d) => d !== 1)) return null;
  }
  if (activation === undefined || activation === 'linear') return { act: 0 };
  if (activation === 'relu') return { act: 1 };
  return null;
}

const ACTIVATION_KERNELS: Record<string, string> = {
  relu: 'Relu',
  relu6: 'Relu6',
  elu: 'Elu',
  sigmoid: 'Sigmoid',
  leakyrelu: 'LeakyRelu',
  prelu: 'Prelu',
};

/** Bias and activation through the (fast-cpu) kernels, for epilogues the addon does not fuse. */
function applyEpilogue(
  backend: CpuBackend,
  x: TensorInfo,
  bias: TensorInfo | undefined,
  activation: string | undefined,
  preluWeights: TensorInfo | undefined,
  leakyreluAlpha: number | undefined,
): TensorInfo {
  let out = x;
  const run = (name: string, args: Omit<KernelArgs, 'backend'>): TensorInfo =>
    tf.getKernel(name, FAST_CPU).kernelFunc({ ...args, backend }) as TensorInfo;
  if (bias !== undefined) {
    const next = run('Add', { inputs: { a: out, b: bias } });
    backend.disposeIntermediateTensorInfo(out);
    out = next;
  }
  if (activation !== undefined && activation !== 'linear') {
    const kernel = ACTIVATION_KERNELS[activation];
    if (!kernel) throw new Error(`fast-cpu: unsupported fused activation ${activation}`);
    const next =
      kernel === 'Prelu'
        ? run(kernel, { inputs: { x: out, alpha: preluWeights } })
        : run(kernel, { inputs: { x: out }, attrs: { alpha: leakyreluAlpha ?? 0.2 } });
    backend.disposeIntermediateTensorInfo(out);
    out = next;
  }
  return out;
}

function nativeConv(
  addon: FastCpuAddon,
  backend: CpuBackend,
  x: TensorInfo,
  filter: TensorInfo,
  attrs: ConvAttrs,
  bias: TensorInfo | null,
  act: NativeActivation,
): TensorInfo {
  const info = convInfo(x.shape, filter.shape, attrs);
  const size = tf.util.sizeFromShape(info.outShape);
  if (size === 0 || tf.util.sizeFromShape(x.shape) === 0) {
    return backend.makeTensorInfo(info.outShape, 'float32', new Float32Array(size));
  }
  const out = allocOutput(backend, size);
  addon.conv2d(
    convParams(info),
    valuesOf(backend, x),
    valuesOf(backend, filter),
    out,
    bias ? valuesOf(backend, bias) : null,
    act,
  );
  return backend.makeTensorInfo(info.outShape, 'float32', out);
}

function canConv(backend: unknown, x: TensorInfo, filter: TensorInfo, attrs: ConvAttrs): boolean {
  return isF32(backend, x) && isF32(backend, filter) && attrs.dataFormat !== 'NCHW';
}

function conv2D(addon: FastCpuAddon): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!canConv(args.backend, x, filter, attrs)) return runCpu('Conv2D', args);
    return nativeConv(addon, args.backend as CpuBackend, x, filter, attrs, null, 0);
  };
}

function fusedConv2D(addon: FastCpuAddon): KernelFunc {
  return (args) => {
    const backend = args.backend as CpuBackend;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<
      string,
      TensorInfo | undefined
    >;
    const attrs = args.attrs as unknown as ConvAttrs & {
      activation?: string;
      leakyreluAlpha?: number;
    };
    if (!x || !filter || !canConv(args.backend, x, filter, attrs))
      return runCpu('FusedConv2D', args);
    const outChannels = filter.shape[3];
    const fused = nativeEpilogue(backend, bias, outChannels, attrs.activation);
    if (fused) {
      return nativeConv(addon, backend, x, filter, attrs, bias ?? null, fused.act);
    }
    const conv = nativeConv(addon, backend, x, filter, attrs, null, 0);
    return applyEpilogue(
      backend,
      conv,
      bias,
      attrs.activation,
      preluActivationWeights,
      attrs.leakyreluAlpha,
    );
  };
}

function conv2DBackpropFilter(addon: FastCpuAddon): KernelFunc {
  return (args) => {
    const backend = args.backend as CpuBackend;
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
    if (
      !isF32(args.backend, x) ||
      !isF32(args.backend, dy) ||
      attrs.dataFormat === 'NCHW' ||
      tf.util.sizeFromShape(dy.shape) === 0
    ) {
      return runCpu('Conv2DBackpropFilter', args);
    }
    const info = convInfo(x.shape, attrs.filterShape, attrs, 1);
    const out = allocOutput(backend, tf.util.sizeFromShape(info.filterShape));
    addon.conv2dBackpropFilter(convParams(info), valuesOf(backend, x), valuesOf(backend, dy), out);
    return backend.makeTensorInfo(info.filterShape, 'float32', out);
  };
}

function conv2DBackpropInput(addon: FastCpuAddon): KernelFunc {
  return (args) => {
    const backend = args.backend as CpuBackend;
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
    if (
      !isF32(args.backend, dy) ||
      !isF32(args.backend, filter) ||
      attrs.dataFormat === 'NCHW' ||
      tf.util.sizeFromShape(dy.shape) === 0
    ) {
      return runCpu('Conv2DBackpropInput', args);
    }
    const info = convInfo(attrs.inputShape, filter.shape, attrs, 1);
    const out = allocOutput(backend, tf.util.sizeFromShape(info.inShape));
    addon.conv2dBackpropInput(
      convParams(info),
      valuesOf(backend, dy),
      valuesOf(backend, filter),
      out,
    );
    return backend.makeTensorInfo(info.inShape, 'float32', out);
  };
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/** Null when the shapes need broadcasting the addon does not do. */
function nativeMatMul(
  addon: FastCpuAddon,
  backend: CpuBackend,
  a: TensorInfo,
  b: TensorInfo,
  attrs: MatMulAttrs,
  bias: TensorInfo | null,
  act: NativeActivation,
): TensorInfo | null {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = attrs.transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const kA = attrs.transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = attrs.transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = attrs.transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (kA !== kB) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = tf.util.sizeFromShape(outer);
  // `i % batch` indexing is only right when each side is whole or a single matrix.
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  const shape = [...outer, m, n];
  // BLAS rejects zero leading dimensions; empty products are zeros (k = 0) or empty.
  if (kA === 0 || batch * m * n === 0) {
    return backend.makeTensorInfo(shape, 'float32', new Float32Array(batch * m * n));
  }
  const out = allocOutput(backend, batch * m * n);
  addon.matMul(
    valuesOf(backend, a),
    valuesOf(backend, b),
    out,
    batch,
    batchA,
    batchB,
    m,
    n,
    kA,
    attrs.transposeA,
    attrs.transposeB,
    bias ? valuesOf(backend, bias) : null,
    act,
  );
  return backend.makeTensorInfo(shape, 'float32', out);
}

function batchMatMul(addon: FastCpuAddon): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (!isF32(args.backend, a) || !isF32(args.backend, b)) return runCpu('BatchMatMul', args);
    const attrs = args.attrs as unknown as MatMulAttrs;
    return (
      nativeMatMul(addon, args.backend as CpuBackend, a, b, attrs, null, 0) ??
      runCpu('BatchMatMul', args)
    );
  };
}

function fusedMatMul(addon: FastCpuAddon): KernelFunc {
  return (args) => {
    const backend = args.backend as CpuBackend;
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<
      string,
      TensorInfo | undefined
    >;
    const attrs = args.attrs as unknown as MatMulAttrs;
    if (!isF32(args.backend, a) || !isF32(args.backend, b)) return runCpu('_FusedMatMul', args);
    const n = attrs.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const fused = nativeEpilogue(backend, bias, n, attrs.activation);
    if (fused) {
      const out = nativeMatMul(addon, backend, a, b, attrs, bias ?? null, fused.act);
      if (out) return out;
    }
    const plain = nativeMatMul(addon, backend, a, b, attrs, null, 0);
    if (!plain) return runCpu('_FusedMatMul', args);
    return applyEpilogue(
      backend,
      plain,
      bias,
      attrs.activation,
      preluActivationWeights,
      attrs.leakyreluAlpha,
    );
  };
}

/** Names of the kernels `fast-cpu` implements itself rather than borrowing from cpu. */
export const NATIVE_KERNELS = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  '_FusedMatMul',
] as const;

/**
 * Registers `fast-cpu`: a backend built by the cpu backend's own factory, with
 * all cpu kernels registered under the new name and the hot ones replaced.
 * Idempotent. Returns false when tfjs has no cpu backend to build on.
 */
export function registerFastCpu(
  addon: FastCpuAddon,
  priority = 2,
  poolOptions: PoolOptions = {},
): boolean {
  if (tf.findBackendFactory(FAST_CPU)) return true;
  const factory = tf.findBackendFactory('cpu');
  if (!factory) return false;
  const replaced: Record<string, KernelFunc> = {
    Conv2D: conv2D(addon),
    FusedConv2D: fusedConv2D(addon),
    Conv2DBackpropFilter: conv2DBackpropFilter(addon),
    Conv2DBackpropInput: conv2DBackpropInput(addon),
    BatchMatMul: batchMatMul(addon),
    _FusedMatMul: fusedMatMul(addon),
    ...elementwiseKernels(addon),
  };
  for (const config of tf.getKernelsForBackend('cpu')) {
    tf.registerKernel({
      ...config,
      backendName: FAST_CPU,
      kernelFunc: replaced[config.kernelName] ?? config.kernelFunc,
    });
  }
  tf.registerBackend(
    FAST_CPU,
    () => {
      const backend = factory() as tf.KernelBackend & { firstUse?: boolean };
      // The cpu backend's first-use banner tells Node users to install tfjs-node;
      // on fast-cpu that advice is noise, so mark the banner as already shown.
      backend.firstUse = false;
      // FAST_CPU_POOL=0 turns recycling off, to rule it out when chasing a bug.
      if (process.env.FAST_CPU_POOL !== '0') attachPool(backend, new BufferPool(poolOptions));
      return backend;
    },
    priority,
  );
  return true;
}
