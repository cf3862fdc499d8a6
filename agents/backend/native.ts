// Loads the OpenBLAS addon built by scripts/build-native.mjs. A missing or broken
// addon is not an error here: callers fall back to the plain cpu backend. Nor is one built
// for another CPU: it is compiled with -march=native, so before requiring it the loader
// checks the build's record of the extensions it uses against this CPU (cpuCompat.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildRecord, checkCpuCompat, type HostCpu, hostCpu } from './cpuCompat.mjs';

/** Geometry of one NHWC convolution with an HWIO filter, as the addon reads it. */
export interface ConvParams {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  oc: number;
  oh: number;
  ow: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pl: number;
}

/** 0: none, 1: relu, applied after the optional bias. */
export type NativeActivation = 0 | 1;

export interface FastCpuAddon {
  conv2d(
    p: ConvParams,
    x: Float32Array,
    filter: Float32Array,
    out: Float32Array,
    bias: Float32Array | null,
    act: NativeActivation,
  ): void;
  conv2dBackpropFilter(p: ConvParams, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  conv2dBackpropInput(
    p: ConvParams,
    dy: Float32Array,
    filter: Float32Array,
    dx: Float32Array,
  ): void;
  matMul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batch: number,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    bias: Float32Array | null,
    act: NativeActivation,
  ): void;
  /** op: BinaryOpCode; mode: BroadcastMode; rowLength: length of the repeated operand (modes 3, 4). */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    mode: number,
    rowLength: number,
  ): void;
  /** op: UnaryOpCode; alpha is Step's value for x <= 0. */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /** Sums a [rows, cols] matrix over rows (leading) or over columns. */
  sumReduce(x: Float32Array, out: Float32Array, rows: number, cols: number, leading: boolean): void;
  /**
   * One Adam step in one pass: writes w', m', v' into the three outputs. `scalars` holds
   * [beta1, 1 - beta1, beta2, 1 - beta2, lr / (1 - beta1^t), 1 - beta2^t, epsilon].
   */
  adamStep(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    wOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    scalars: Float32Array,
  ): void;
  /**
   * Interleaves four equal-sized uint8 frames (oldest first) into an NHWC float32 stack at
   * `out[offset...]`, each byte mapped through `lut` (256 floats). Throws RangeError on bad sizes.
   */
  gatherStack4(
    f0: Uint8Array,
    f1: Uint8Array,
    f2: Uint8Array,
    f3: Uint8Array,
    lut: Float32Array,
    out: Float32Array,
    offset: number,
  ): void;
  /** BLAS threads and the cap for the addon's own loops. */
  setThreads(n: number): void;
  /** Threads for im2col / col2im / elementwise loops (default 1, env FAST_CPU_LOOP_THREADS). */
  setLoopThreads(n: number): void;
  getThreads(): number;
  /**
   * Whether convolutions whose kernel is twice their stride use the block (space-to-depth)
   * path (default) or im2col; for tests and benchmarks that compare the two.
   */
  setBlockConv?(on: boolean): void;
  /**
   * Whether convolutions run on oneDNN's primitives (default, where the addon was built with
   * them) or on the block / im2col + OpenBLAS paths; for tests and benchmarks.
   */
  setDnnl?(on: boolean): void;
  /** Optional libraries this build has: `dnnl` when built against oneDNN (libdnnl-dev). */
  features?(): { dnnl: boolean };
  /** Instruction-set extensions the build's code uses, as /proc/cpuinfo names them. */
  compiledCpuFlags?(): string[];
}

const here = dirname(fileURLToPath(import.meta.url));
/** Where scripts/build-native.mjs leaves the addon. */
export const ADDON_PATH = resolve(here, '../../build/fast_cpu.node');
/** What the build recorded beside it (scripts/build-native.mjs). */
export const FEATURES_PATH = resolve(here, '../../build/fast-cpu-features.json');

export interface AddonLoad {
  addon: FastCpuAddon | null;
  error: string | null;
}

/** The fix printed with an addon built for another CPU. */
export const REBUILD_HINT = 'rebuild it on this machine: npm run build:native';

function readRecord(path: string): BuildRecord | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BuildRecord;
  } catch {
    return null;
  }
}

/**
 * The addon at `addonPath`, unless its build record (or, once loaded, the addon's own list)
 * names CPU extensions `host` lacks: then null with the reason, and the addon is never
 * required, since code for a newer CPU can die with SIGILL as it loads.
 */
export function loadAddonFrom(
  addonPath: string,
  featuresPath: string,
  host: HostCpu = hostCpu(),
): AddonLoad {
  if (!existsSync(addonPath)) {
    return { addon: null, error: `native addon not built (${addonPath} missing)` };
  }
  const compat = checkCpuCompat(readRecord(featuresPath), host);
  if (!compat.ok) {
    return { addon: null, error: `native addon not used: ${compat.reason}; ${REBUILD_HINT}` };
  }
  let addon: FastCpuAddon;
  try {
    const require = createRequire(import.meta.url);
    addon = require(addonPath) as FastCpuAddon;
  } catch (err) {
    return { addon: null, error: `native addon failed to load: ${(err as Error).message}` };
  }
  // The record could be stale (the addon rebuilt by hand); the addon's own list is the truth.
  if (typeof addon.compiledCpuFlags === 'function') {
    const own = checkCpuCompat({ arch: host.arch, cpuFlags: addon.compiledCpuFlags() }, host);
    if (!own.ok) {
      return { addon: null, error: `native addon not used: ${own.reason}; ${REBUILD_HINT}` };
    }
  }
  return { addon, error: null };
}

let cached: AddonLoad | null = null;

/** The addon, or null with the reason it could not be loaded. */
export function loadAddon(): AddonLoad {
  if (cached) return cached;
  // OpenBLAS worker threads spin (sched_yield) for ~2^28 cycles after each call by
  // default; on a shared or busy machine that burned CPU on every DQN update and
  // slowed the main thread (docs/benchmarks.md). 4 (its minimum) makes them sleep at once; wake-up
  // costs microseconds per sgemm. Read when the library loads, so set it first.
  process.env.OPENBLAS_THREAD_TIMEOUT ??= '4';
  // The same for the OpenMP threads oneDNN's convolutions run on: GNU OpenMP's workers spin
  // after each parallel region by default, beside OpenBLAS's and the env workers, which made
  // updates markedly slower (docs/benchmarks.md). Also read when the library loads.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  cached = loadAddonFrom(ADDON_PATH, FEATURES_PATH);
  return cached;
}
