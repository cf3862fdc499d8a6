// DQN training throughput per TensorFlow.js backend, against PyTorch on the same
// machine: `npm run bench:train [-- --seconds S --rounds R --threads T --no-peer --no-cpu]`.
//
// Workload (agents/backend/workload.ts): Nature CNN on uint8 4x84x84 frames
// (NHWC, scaled inside the model), batch 32, Adam, Huber loss, Double DQN
// targets (one online and one target forward on the next states). Figures:
// full updates/s and forward passes/s at batch 1 and 32, each the median of
// several timed repeats after a warm-up, best of `rounds` rounds that alternate
// between PyTorch and the tfjs backends so a noisy neighbour hurts both alike.
// Every figure is also printed as a ratio to the baseline of the same run:
// PyTorch when it ran, else the plain cpu backend. The last line is one JSON
// object for the backend initBackend() picks by default. Where the fast-cpu addon
// was built with oneDNN, fast-cpu also runs with its convolutions on the OpenBLAS
// paths (row "fast-cpu openblas"), so the JSON line says what oneDNN buys.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfjs from '@tensorflow/tfjs';
import { type BackendChoice, initBackend } from '../../agents/backend/index.ts';
import { loadAddon } from '../../agents/backend/native.ts';
import {
  type Batch,
  disposeBatch,
  makeTrainer,
  NATURE_CNN,
  randomBatch,
} from '../../agents/backend/workload.ts';

interface Figures {
  updatesPerSec: number;
  forwardB1PerSec: number;
  forwardB32PerSec: number;
  /** Process CPU time per update, all threads: robust to other processes sharing the cores. */
  updateCpuMs?: number;
  /** True when the update figure comes from a single timed update. */
  singleUpdate?: boolean;
}

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(`--${name}`);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const seconds = option('seconds', 8);
const rounds = Math.max(1, option('rounds', 2));
const repeats = Math.max(1, option('repeats', 5));
const threads = option('threads', 2);
const here = dirname(fileURLToPath(import.meta.url));
const BATCH = 32;
/** The row for fast-cpu with oneDNN switched off. */
const OPENBLAS_ROW = 'fast-cpu openblas';

/**
 * Calls/s: warm-up, then the median over `reps` windows of `budget / reps` seconds.
 * `cpuMs`, when given, receives the process CPU milliseconds per call.
 */
function rate(
  fn: () => void,
  budget: number,
  reps = repeats,
  cpuMs?: number[],
  warmup = 2,
): number {
  for (let i = 0; i < warmup; i++) fn();
  const rates: number[] = [];
  const c0 = process.cpuUsage();
  let calls = 0;
  for (let r = 0; r < reps; r++) {
    let n = 0;
    const t0 = performance.now();
    let dt = 0;
    do {
      fn();
      n++;
      dt = (performance.now() - t0) / 1000;
    } while (dt < budget / reps);
    rates.push(n / dt);
    calls += n;
  }
  if (cpuMs) {
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000 / calls);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

function forwardFn(model: tfjs.LayersModel, x: tfjs.Tensor): () => void {
  return () => {
    const q = model.predict(x) as tfjs.Tensor;
    q.dataSync();
    q.dispose();
  };
}

/** fast-cpu's addon when it was built with oneDNN convolutions (they can be switched off). */
const dnnlAddon = (() => {
  const { addon } = loadAddon();
  return addon?.features?.().dnnl === true ? addon : null;
})();

async function measureTfjs(choice: BackendChoice, dnnl = true): Promise<Figures> {
  const { tf } = await initBackend({ backend: choice, threads, quiet: true });
  dnnlAddon?.setDnnl?.(dnnl);
  try {
    return await measureOn(tf, choice);
  } finally {
    dnnlAddon?.setDnnl?.(true);
  }
}

async function measureOn(
  tf: Awaited<ReturnType<typeof initBackend>>['tf'],
  choice: BackendChoice,
): Promise<Figures> {
  const trainer = makeTrainer(tf, NATURE_CNN, { seed: 1, lr: 1e-4 });
  const batch: Batch = randomBatch(tf, NATURE_CNN, BATCH, 7);
  const one = tf.slice(batch.obs, [0, 0, 0, 0], [1, -1, -1, -1]);
  let figures: Figures;
  if (choice === 'cpu') {
    // The pure-JS backend needs tens of seconds per update: time exactly one, after one warm-up
    // forward, and keep the forward windows short.
    forwardFn(trainer.online, one)();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    trainer.update(batch);
    const updateSec = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    figures = {
      updatesPerSec: 1 / updateSec,
      updateCpuMs: (c.user + c.system) / 1000,
      forwardB1PerSec: rate(forwardFn(trainer.online, one), seconds / 4, 2, undefined, 1),
      // The update above already ran this forward pass: no warm-up, one window.
      forwardB32PerSec: rate(forwardFn(trainer.online, batch.obs), seconds / 4, 1, undefined, 0),
      singleUpdate: true,
    };
  } else {
    const cpuMs: number[] = [];
    figures = {
      updatesPerSec: rate(() => trainer.update(batch), seconds, repeats, cpuMs),
      updateCpuMs: cpuMs[0],
      forwardB1PerSec: rate(forwardFn(trainer.online, one), seconds / 3),
      forwardB32PerSec: rate(forwardFn(trainer.online, batch.obs), seconds / 2),
    };
  }
  one.dispose();
  disposeBatch(batch);
  trainer.dispose();
  return figures;
}

interface PeerFigures extends Figures {
  torch: string;
  threads: number;
}

function torchAvailable(): boolean {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0;
}

function measurePeer(): PeerFigures | null {
  const script = join(here, 'peers', 'dqn_update.py');
  const r = spawnSync(
    '/usr/bin/python3',
    [
      script,
      '--threads',
      String(threads),
      '--seconds',
      String(seconds),
      '--repeats',
      String(repeats),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    console.error(`[bench] PyTorch peer failed: ${r.stderr.trim().split('\n').pop()}`);
    return null;
  }
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as PeerFigures;
}

function best<T extends Figures>(a: T | null, b: T | null): T | null {
  if (!a) return b;
  if (!b) return a;
  return {
    ...a,
    updatesPerSec: Math.max(a.updatesPerSec, b.updatesPerSec),
    forwardB1PerSec: Math.max(a.forwardB1PerSec, b.forwardB1PerSec),
    forwardB32PerSec: Math.max(a.forwardB32PerSec, b.forwardB32PerSec),
    updateCpuMs: Math.min(
      a.updateCpuMs ?? Number.POSITIVE_INFINITY,
      b.updateCpuMs ?? Number.POSITIVE_INFINITY,
    ),
  };
}

async function available(choice: BackendChoice): Promise<boolean> {
  try {
    await initBackend({ backend: choice, quiet: true });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const load0 = loadavg()[0];
  const defaultBackend = (await initBackend({ quiet: true, threads })).name as BackendChoice;
  const fastOnes: BackendChoice[] = [];
  for (const b of ['tensorflow', 'fast-cpu'] as const) if (await available(b)) fastOnes.push(b);
  const runPeer = !flag('no-peer') && torchAvailable();
  if (!runPeer && !flag('no-peer')) {
    console.error('[bench] /usr/bin/python3 cannot import torch: no PyTorch comparison');
  }
  console.error(
    `[bench] backends: ${[...fastOnes, flag('no-cpu') ? '' : 'cpu'].filter(Boolean).join(', ')}; ` +
      `default ${defaultBackend}; ${threads} threads; ${rounds} rounds of ~${seconds}s per figure; ` +
      `load average ${load0.toFixed(2)}`,
  );

  const results = new Map<string, Figures>();
  let peer: PeerFigures | null = null;
  for (let round = 0; round < rounds; round++) {
    if (runPeer) peer = best(peer, measurePeer());
    for (const b of fastOnes) {
      const prev = results.get(b) ?? null;
      results.set(b, best(prev, await measureTfjs(b))!);
    }
    if (dnnlAddon && fastOnes.includes('fast-cpu')) {
      const prev = results.get(OPENBLAS_ROW) ?? null;
      results.set(OPENBLAS_ROW, best(prev, await measureTfjs('fast-cpu', false))!);
    }
  }
  if (!flag('no-cpu')) {
    console.error('[bench] plain cpu: ONE timed update (~50 s or more), short forward windows');
    results.set('cpu', await measureTfjs('cpu'));
  }

  const baselineName = peer ? `pytorch ${peer.torch}` : results.has('cpu') ? 'cpu' : null;
  const baseline: Figures | null = peer ?? results.get('cpu') ?? null;
  const ratio = (v: number, base: number | undefined): string =>
    base ? `${(v / base).toFixed(2)}x` : '-';
  const rows: Array<[string, Figures]> = [...results.entries()];
  if (peer) rows.unshift([`pytorch ${peer.torch}`, peer]);
  console.log(
    `baseline: ${baselineName ?? 'none'} (ratios: figure / baseline, same run; for cpu ms/update, ` +
      'baseline / figure, so above 1 is better everywhere)',
  );
  console.log(
    `${'backend'.padEnd(18)}${'updates/s'.padStart(12)}${'ratio'.padStart(10)}` +
      `${'fwd b1/s'.padStart(12)}${'ratio'.padStart(10)}${'fwd b32/s'.padStart(12)}${'ratio'.padStart(10)}` +
      `${'cpu ms/upd'.padStart(12)}${'ratio'.padStart(10)}`,
  );
  for (const [name, f] of rows) {
    console.log(
      `${name.padEnd(18)}${f.updatesPerSec.toPrecision(3).padStart(12)}${ratio(f.updatesPerSec, baseline?.updatesPerSec).padStart(10)}` +
        `${f.forwardB1PerSec.toFixed(1).padStart(12)}${ratio(f.forwardB1PerSec, baseline?.forwardB1PerSec).padStart(10)}` +
        `${f.forwardB32PerSec.toFixed(2).padStart(12)}${ratio(f.forwardB32PerSec, baseline?.forwardB32PerSec).padStart(10)}` +
        `${(f.updateCpuMs ?? 0).toFixed(1).padStart(12)}${ratio(baseline?.updateCpuMs ?? 0, f.updateCpuMs).padStart(10)}` +
        (f.singleUpdate ? '  (update: one timed update)' : ''),
    );
  }

  const mine = results.get(defaultBackend);
  const summary: Record<string, unknown> = { backend: defaultBackend, threads };
  if (mine) {
    summary.updatesPerSec = round3(mine.updatesPerSec);
    summary.forwardB1PerSec = round3(mine.forwardB1PerSec);
    summary.forwardB32PerSec = round3(mine.forwardB32PerSec);
  }
  if (peer && mine) {
    summary.peer = `pytorch ${peer.torch}`;
    summary.peerUpdatesPerSec = round3(peer.updatesPerSec);
    summary.peerForwardB1PerSec = round3(peer.forwardB1PerSec);
    summary.peerForwardB32PerSec = round3(peer.forwardB32PerSec);
    summary.updateRatio = round3(mine.updatesPerSec / peer.updatesPerSec);
    summary.forwardB1Ratio = round3(mine.forwardB1PerSec / peer.forwardB1PerSec);
    summary.forwardB32Ratio = round3(mine.forwardB32PerSec / peer.forwardB32PerSec);
    if (mine.updateCpuMs && peer.updateCpuMs) {
      summary.updateCpuMs = round3(mine.updateCpuMs);
      summary.peerUpdateCpuMs = round3(peer.updateCpuMs);
      // Peer CPU time over ours: >1 means fewer core-seconds per update than PyTorch.
      summary.updateCpuEfficiencyRatio = round3(peer.updateCpuMs / mine.updateCpuMs);
    }
  }
  const openblas = results.get(OPENBLAS_ROW);
  if (defaultBackend === 'fast-cpu') summary.dnnl = dnnlAddon !== null;
  if (openblas && mine && defaultBackend === 'fast-cpu') {
    summary.openblasUpdatesPerSec = round3(openblas.updatesPerSec);
    summary.dnnlUpdateSpeedup = round3(mine.updatesPerSec / openblas.updatesPerSec);
    summary.dnnlForwardB32Speedup = round3(mine.forwardB32PerSec / openblas.forwardB32PerSec);
  }
  const cpu = results.get('cpu');
  if (cpu && mine && defaultBackend !== 'cpu') {
    summary.cpuUpdatesPerSec = round3(cpu.updatesPerSec);
    summary.speedupOverCpu = round3(mine.updatesPerSec / cpu.updatesPerSec);
  }
  summary.loadAverage = [round3(load0), round3(loadavg()[0])];
  console.log(JSON.stringify(summary));
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

await main();
