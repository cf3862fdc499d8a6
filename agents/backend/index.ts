// The one place the project picks a TensorFlow.js backend. Order of preference:
// libtensorflow through tfjs-node-gpu / tfjs-node when installed and working,
// then `fast-cpu` (tfjs's cpu backend with native OpenBLAS kernels), then plain `cpu`.
import * as tf from '@tensorflow/tfjs';
import { registerAdamStepKernel } from './adamKernel.ts';
import { FAST_CPU, registerFastCpu } from './kernels.ts';
import { ADDON_PATH, loadAddon, REBUILD_HINT } from './native.ts';

export type BackendChoice = 'tensorflow' | 'fast-cpu' | 'cpu';

export interface InitBackendOptions {
  /** Force one backend; throws when it is unavailable. Default: best available. */
  backend?: BackendChoice;
  /** Do not print the one-line notice naming the backend. */
  quiet?: boolean;
  /** Threads for the native kernels (fast-cpu only). Default: all cores, as OpenBLAS picks. */
  threads?: number;
}

export interface BackendInfo {
  /** The tfjs backend name now active: 'tensorflow', 'fast-cpu' or 'cpu'. */
  name: string;
  /** The tfjs module; the same tfjs-core instance whichever backend runs. */
  tf: typeof tf;
  /** Native threads in use (fast-cpu), otherwise undefined. */
  threads?: number;
  /** Why better backends were passed over, for logs. */
  skipped: string[];
}

/** Loads tfjs-node-gpu, then tfjs-node; each registers the 'tensorflow' backend on import. */
async function tryTensorflow(skipped: string[]): Promise<boolean> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      if (tf.findBackendFactory('tensorflow') && (await tf.setBackend('tensorflow'))) return true;
      skipped.push(`${pkg}: loaded but the tensorflow backend did not initialise`);
    } catch (err) {
      const msg = (err as Error).message.split('\n')[0];
      skipped.push(`${pkg}: ${msg}`);
    }
  }
  return false;
}

async function tryFastCpu(skipped: string[], threads?: number): Promise<number | null> {
  const { addon, error } = loadAddon();
  if (!addon) {
    skipped.push(`fast-cpu: ${error}`);
    return null;
  }
  if (!registerFastCpu(addon)) {
    skipped.push('fast-cpu: tfjs cpu backend not registered');
    return null;
  }
  registerAdamStepKernel(FAST_CPU, addon);
  if (threads !== undefined) addon.setThreads(threads);
  if (!(await tf.setBackend(FAST_CPU))) {
    skipped.push('fast-cpu: backend failed to initialise');
    return null;
  }
  return addon.getThreads();
}

/**
 * Picks and activates the tfjs backend. Safe to call more than once; a later call
 * switches backends (tensors made on the old one stay readable through tfjs's
 * data movement, but models should be built after the call that will train them).
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const skipped: string[] = [];
  const forced = opts.backend;
  let name: string | null = null;
  let threads: number | undefined;

  if (forced === undefined || forced === 'tensorflow') {
    if (await tryTensorflow(skipped)) name = 'tensorflow';
    else if (forced) {
      throw new Error(`backend 'tensorflow' unavailable: ${skipped.join('; ')}`);
    }
  }
  if (name === null && (forced === undefined || forced === 'fast-cpu')) {
    const t = await tryFastCpu(skipped, opts.threads);
    if (t !== null) {
      name = FAST_CPU;
      threads = t;
    } else if (forced) {
      throw new Error(
        `backend 'fast-cpu' unavailable: ${skipped.join('; ')}. ` +
          'Fix: apt-get install libopenblas-dev libdnnl-dev && npm run build:native',
      );
    }
  }
  if (name === null) {
    registerAdamStepKernel('cpu', null);
    if (!(await tf.setBackend('cpu'))) throw new Error("backend 'cpu' failed to initialise");
    name = 'cpu';
  }
  await tf.ready();
  // TF.js's CPU kernels print an "install our node backend" banner on first use, once per thread
  // (every evaluation worker). The line below already says which backend runs, so say it once.
  tf.env().set('PROD', true);
  if (!opts.quiet) {
    const dnnl = name === FAST_CPU && loadAddon().addon?.features?.().dnnl === true;
    const extra =
      threads !== undefined ? ` (${threads} threads${dnnl ? ', oneDNN convolutions' : ''})` : '';
    const fastWhy = skipped.find((s) => s.startsWith('fast-cpu:'));
    // An addon built for another CPU already carries its fix (rebuild here).
    const fix = fastWhy?.includes(REBUILD_HINT)
      ? ''
      : '; fix: apt-get install libopenblas-dev libdnnl-dev && npm run build:native';
    const why =
      name === 'cpu' && forced !== 'cpu'
        ? ` (slow pure-JS fallback; ${fastWhy ?? 'fast-cpu unavailable'}${fix})`
        : '';
    process.stderr.write(`[tfjs] backend: ${name}${extra}${why}\n`);
  }
  return { name, tf, threads, skipped };
}

/** Writes four frames as one NHWC float stack through a byte-to-float table (see native.ts). */
export type StackGather = (
  frames: readonly Uint8Array[],
  lut: Float32Array,
  out: Float32Array,
  offset: number,
) => void;

/**
 * The addon's stack gather, whatever backend runs (it is a plain CPU copy), or null when the
 * addon is not built (or predates it); callers then use their JS loop.
 */
export function nativeStackGather(): StackGather | null {
  const { addon } = loadAddon();
  if (!addon || typeof addon.gatherStack4 !== 'function') return null;
  return (frames, lut, out, offset) =>
    addon.gatherStack4(frames[0], frames[1], frames[2], frames[3], lut, out, offset);
}

export { ADDON_PATH, FAST_CPU };
