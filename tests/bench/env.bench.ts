/**
 * Environment throughput (`npm run bench:env [-- --game brick --seconds 1 --rounds 15 --envs 2]`).
 *
 * Four figures, all in emulator frames per second, from one process on one ROM:
 *   raw     the jsnes adapter alone: `NesMachine.frame()` in a loop, on a machine booted into play
 *   env     `createEnv` with full ALE preprocessing (frame skip 4, max-pool, grayscale, 84x84,
 *           stack 4, sticky actions, no-op starts), random actions; frames = agent steps x skip
 *   vec1/2  `WorkerVectorEnv` with `--envs` envs on 1 and on 2 worker threads; frames =
 *           vector steps x envs x skip
 * Frames spent outside agent steps (boot after a reset, no-op starts) cost time but are not
 * counted, so `env` is slightly pessimistic. Every kind is warmed up first, then the kinds are
 * measured in many short interleaved rounds so that load from other processes hits them alike.
 * Frames/s are medians over rounds; a ratio is the median over rounds of that round's ratio
 * (against the raw baseline of the same round, or vec2 against vec1 for `scaling`), which cancels
 * most of the drift in load between rounds.
 * Each figure is also given per second of this process's CPU time, which load from other
 * processes barely moves, and each round measures how much plain CPU-bound code gains from a
 * second thread at that moment (`machineScaling`): the ceiling for the vector env's `scaling`.
 * The last line printed is one JSON object with every figure.
 */
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createEnv, type GameEnvOptions, makeNesEnv } from '../../emulators/index.ts';
import { Rng } from '../../emulators/rng.ts';
import { makeVectorEnv, type VectorEnv } from '../../emulators/vector/index.ts';

interface BenchConfig {
  /** Manifest id of the ROM every figure uses. */
  game: string;
  /** Length of one timed measurement. */
  seconds: number;
  /** Interleaved rounds of all four measurements. */
  rounds: number;
  /** Untimed running of each kind before the rounds (JIT warm-up). */
  warmupSeconds: number;
  /** Envs in each vector env (the same for 1 and 2 workers, so the work per step matches). */
  envs: number;
}

const FRAME_SKIP = 4;

function parseArgs(argv: string[]): BenchConfig {
  const config: BenchConfig = { game: 'brick', seconds: 1, rounds: 15, warmupSeconds: 2, envs: 2 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (key === 'game') config.game = value;
    else if (key === 'seconds' || key === 'rounds' || key === 'envs' || key === 'warmupSeconds') {
      const n = Number(value);
      if (!(n > 0)) throw new Error(`--${key} must be a positive number, got ${value}`);
      config[key] = n;
    } else throw new Error(`unknown option ${argv[i]} (use --game, --seconds, --rounds, --envs)`);
  }
  return config;
}

interface Sample {
  /** Frames per wall-clock second: the figure asked for, but at the mercy of other processes. */
  fps: number;
  /** Frames per second of this process's CPU time (all threads): robust to load from others. */
  cpuFps: number;
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** Runs `chunk` (which returns the frames it ran) until `seconds` pass. */
function timeIt(seconds: number, chunk: () => number): Sample {
  const cpu0 = cpuSeconds();
  const start = performance.now();
  const end = start + seconds * 1000;
  let frames = 0;
  let now = start;
  while (now < end) {
    frames += chunk();
    now = performance.now();
  }
  return { fps: frames / ((now - start) / 1000), cpuFps: frames / (cpuSeconds() - cpu0) };
}

type Bench = (seconds: number) => Sample;

function rawBench(game: string): Bench {
  const env = makeNesEnv({ game });
  env.reset({ seed: 1 });
  const machine = env.machine;
  return (seconds) =>
    timeIt(seconds, () => {
      for (let i = 0; i < 20; i++) machine.frame();
      return 20;
    });
}

/** Also counts what agent-step frames leave out: resets and their cost, no-op start frames. */
interface EnvStats {
  episodes: number;
  resetMs: number;
  emulatedFrames: number;
  stepFrames: number;
}

function envBench(options: GameEnvOptions, stats: EnvStats): Bench {
  const env = createEnv(options);
  const rng = new Rng(2);
  const n = env.actionSpace.n;
  let lastFrame = env.reset({ seed: 2 }).info.episodeFrame;
  return (seconds) =>
    timeIt(seconds, () => {
      const step = env.step(rng.int(n));
      stats.emulatedFrames += step.info.episodeFrame - lastFrame;
      lastFrame = step.info.episodeFrame;
      stats.stepFrames += FRAME_SKIP;
      if (step.terminated || step.truncated) {
        const t0 = performance.now();
        lastFrame = env.reset().info.episodeFrame;
        stats.resetMs += performance.now() - t0;
        stats.emulatedFrames += lastFrame;
        stats.episodes++;
      }
      return FRAME_SKIP;
    });
}

function vectorBench(vec: VectorEnv): Bench {
  const rng = new Rng(3);
  const actions = new Int32Array(vec.numEnvs);
  const n = vec.actionSpace.n;
  vec.reset({ seed: 3 });
  return (seconds) =>
    timeIt(seconds, () => {
      for (let i = 0; i < actions.length; i++) actions[i] = rng.int(n);
      vec.step(actions);
      return FRAME_SKIP * vec.numEnvs;
    });
}

const KINDS = ['raw', 'env', 'vec1', 'vec2'] as const;
type Kind = (typeof KINDS)[number];
const LABELS: Record<Kind, string> = {
  raw: 'raw jsnes (NesMachine.frame)',
  env: 'env, full ALE preprocessing',
  vec1: 'vector env, 1 worker',
  vec2: 'vector env, 2 workers',
};

function medians(samples: Record<Kind, Sample[]>, field: keyof Sample): Record<Kind, number> {
  return Object.fromEntries(
    KINDS.map((k) => [k, median(samples[k].map((x) => x[field]))]),
  ) as Record<Kind, number>;
}

// Plain CPU work in 1 and 2 threads: how much parallelism the machine gives right now, so that
// the vector env's scaling can be judged against what any code could get.
const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const end = performance.now() + workerData.ms;
let x = 0, n = 0;
while (performance.now() < end) { for (let i = 0; i < 1e5; i++) x = (x * 31 + i) | 0; n++; }
parentPort.postMessage(n + (x & 0));`;

async function cpuProbe(threads: number, seconds: number): Promise<number> {
  const counts = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(PROBE_SOURCE, {
            eval: true,
            workerData: { ms: seconds * 1000 },
          });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0) / seconds;
}

/** Median over rounds of `samples[a][i][field] / samples[b][i][field]`. */
function ratio(
  samples: Record<Kind, Sample[]>,
  a: Kind,
  b: Kind,
  field: keyof Sample = 'fps',
): number {
  return median(samples[a].map((x, i) => x[field] / samples[b][i][field]));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

async function main(): Promise<void> {
  const config = parseArgs(process.argv.slice(2));
  const envOptions: GameEnvOptions = { game: config.game, frameSkip: FRAME_SKIP };
  const module = fileURLToPath(new URL('../../emulators/index.ts', import.meta.url));
  const load0 = loadavg()[0];
  console.log(
    `bench:env game=${config.game} ${config.rounds} rounds x ${config.seconds}s, ` +
      `${config.envs} envs per vector env, ${availableParallelism()} CPUs, load ${load0.toFixed(2)}`,
  );

  const vec1 = await makeVectorEnv({
    module,
    options: envOptions,
    numEnvs: config.envs,
    workers: 1,
    mode: 'workers',
  });
  const vec2 = await makeVectorEnv({
    module,
    options: envOptions,
    numEnvs: config.envs,
    workers: 2,
    mode: 'workers',
  });
  const stats: EnvStats = { episodes: 0, resetMs: 0, emulatedFrames: 0, stepFrames: 0 };
  const kinds: Record<Kind, Bench> = {
    raw: rawBench(config.game),
    env: envBench(envOptions, stats),
    vec1: vectorBench(vec1),
    vec2: vectorBench(vec2),
  };
  try {
    for (const kind of KINDS) kinds[kind](config.warmupSeconds);
    Object.assign(stats, { episodes: 0, resetMs: 0, emulatedFrames: 0, stepFrames: 0 });
    const samples: Record<Kind, Sample[]> = { raw: [], env: [], vec1: [], vec2: [] };
    const machineScaling: number[] = [];
    for (let round = 0; round < config.rounds; round++) {
      for (const kind of KINDS) samples[kind].push(kinds[kind](config.seconds));
      const probeSeconds = Math.min(1, config.seconds / 2);
      machineScaling.push((await cpuProbe(2, probeSeconds)) / (await cpuProbe(1, probeSeconds)));
      const raw = samples.raw[round].fps;
      const line = KINDS.map((k) => {
        const fps = samples[k][round].fps;
        return `${k} ${fps.toFixed(1)} (${(fps / raw).toFixed(3)}x)`;
      });
      line.push(`plain 2-thread CPU scaling ${machineScaling[round].toFixed(3)}`);
      console.log(`round ${round + 1}: ${line.join(', ')}`);
    }
    const wall = medians(samples, 'fps');
    const cpu = medians(samples, 'cpuFps');
    for (const k of KINDS) {
      console.log(
        `${LABELS[k].padEnd(30)} ${wall[k].toFixed(1).padStart(8)} frames/s ` +
          `${ratio(samples, k, 'raw').toFixed(3)}x raw   | per CPU-second ` +
          `${cpu[k].toFixed(1).padStart(8)} ${ratio(samples, k, 'raw', 'cpuFps').toFixed(3)}x raw`,
      );
    }
    console.log(
      `vector scaling 2 vs 1 worker: ${ratio(samples, 'vec2', 'vec1').toFixed(3)}; ` +
        `plain CPU-bound code got ${median(machineScaling).toFixed(3)} from a second thread`,
    );
    const episodes = Math.max(stats.episodes, 1);
    console.log(
      `env episodes: ${stats.episodes}, mean reset ${(stats.resetMs / episodes).toFixed(1)} ms; ` +
        `emulated frames (no-op starts included) / agent-step frames = ` +
        `${(stats.emulatedFrames / stats.stepFrames).toFixed(3)}`,
    );
    const summary = {
      game: config.game,
      rawFps: round1(wall.raw),
      envFps: round1(wall.env),
      overheadRatio: round3(ratio(samples, 'env', 'raw')),
      vec1Fps: round1(wall.vec1),
      vec2Fps: round1(wall.vec2),
      scaling: round3(ratio(samples, 'vec2', 'vec1')),
      /** What plain CPU-bound code got from a second thread during the same rounds. */
      machineScaling: round3(median(machineScaling)),
      vec1Ratio: round3(ratio(samples, 'vec1', 'raw')),
      vec2Ratio: round3(ratio(samples, 'vec2', 'raw')),
      cpu: {
        rawFps: round1(cpu.raw),
        envFps: round1(cpu.env),
        overheadRatio: round3(ratio(samples, 'env', 'raw', 'cpuFps')),
        vec1Ratio: round3(ratio(samples, 'vec1', 'raw', 'cpuFps')),
        vec2Ratio: round3(ratio(samples, 'vec2', 'raw', 'cpuFps')),
      },
      envEpisodes: stats.episodes,
      envMeanResetMs: round1(stats.resetMs / episodes),
      envEmulatedPerStepFrame: round3(stats.emulatedFrames / Math.max(stats.stepFrames, 1)),
      envsPerVector: config.envs,
      rounds: config.rounds,
      seconds: config.seconds,
      cpus: availableParallelism(),
      loadAvgStart: round3(load0),
      loadAvgEnd: round3(loadavg()[0]),
      samples: Object.fromEntries(KINDS.map((k) => [k, samples[k].map((x) => round1(x.fps))])),
    };
    console.log(JSON.stringify(summary));
  } finally {
    await Promise.all([vec1.close(), vec2.close()]);
  }
}

await main();
