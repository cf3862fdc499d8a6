/**
 * Server benchmark (`node bin/run-ts.mjs tests/bench/server.bench.ts [--rounds 3] [--episodes-per-worker 4]`).
 *
 *   leaderboard  `Storage.leaderboard('brick')` wall latency p50/p99 over 2,000 calls (and the
 *                process CPU time p99, which load from other processes barely moves), on a
 *                temporary database holding 1,000,000 episode rows over 50 versions
 *                (`perfFixtures.fillEpisodes`, aggregates rebuilt). Target: p99 < 5 ms.
 *   eval         emulator frames/s through the full evaluation path with the random agent: job
 *                queue → evaluator → worker pool (one thread per core) → episodes recorded with
 *                their replays, one transaction each. Frames = the recorded episodes' frames;
 *                time = from enqueue to job completion (the pool is warmed up first).
 *   vec          the raw `WorkerVectorEnv` on the same threads and the same conditions with random
 *                actions, for the same wall time as the eval round; frames = steps x envs x skip.
 *   evalRatio    median over interleaved rounds of eval/vec (wall clock). Target: >= 0.8.
 *   evalRatioCpu the same per CPU second of this process (all threads): on a machine loaded by
 *                other processes the wall ratio swings with their load, this one barely moves.
 *
 * The last line printed is one JSON object with every figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARENA_CONDITIONS, type EvalConditions } from '../../agents/evaluation/conditions.ts';
import { Rng } from '../../emulators/rng.ts';
import { makeVectorEnv } from '../../emulators/vector/index.ts';
import { type EvalJobPayload, Evaluator } from '../../server/eval/evaluator.ts';
import { SqliteJobQueue } from '../../server/queue/sqliteJobQueue.ts';
import { SqliteStorage } from '../../server/storage/sqlite.ts';
import { WorkerPool } from '../../server/workers/pool.ts';
import { fillEpisodes, timeCalls } from '../support/perfFixtures.ts';
import { addAgent } from '../support/storeFixtures.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const ROUNDS = arg('rounds', 3);
const EPISODES_PER_WORKER = arg('episodes-per-worker', 4);
const EPISODES = Number(process.env.BENCH_LEADERBOARD_EPISODES ?? 1_000_000);
const cores = availableParallelism();
const work = mkdtempSync(join(tmpdir(), 'arena-server-bench-'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function leaderboardLatency(): ReturnType<typeof timeCalls> {
  const storage = new SqliteStorage({
    path: join(work, 'leaderboard.sqlite'),
    synchronous: 'NORMAL',
  });
  const versionIds = Array.from(
    { length: 50 },
    (_, i) => addAgent(storage, { name: `agent${i}` }).versionIds[0],
  );
  const t0 = performance.now();
  fillEpisodes(storage, { versionIds, episodes: EPISODES });
  storage.rebuildAggregates();
  console.error(`filled ${EPISODES} episodes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  timeCalls(() => storage.leaderboard('brick'), 200);
  const times = timeCalls(() => storage.leaderboard('brick'), 2000);
  storage.close();
  return times;
}

interface EvalRig {
  storage: SqliteStorage;
  queue: SqliteJobQueue<EvalJobPayload>;
  pool: WorkerPool;
  evaluator: Evaluator;
  conditions: EvalConditions;
}

function startEvalRig(): EvalRig {
  const storage = new SqliteStorage({ path: join(work, 'eval.sqlite') });
  const queue = new SqliteJobQueue<EvalJobPayload>({ db: storage.db });
  const pool = new WorkerPool({ size: cores });
  // Default rules except the number of episodes: enough to keep every worker busy twice.
  const conditions = { ...ARENA_CONDITIONS, episodes: cores * EPISODES_PER_WORKER };
  const evaluator = new Evaluator({
    storage,
    queue,
    executor: pool,
    secret: new Uint8Array(32),
    dataDir: work,
    conditions,
    pollMs: 20,
  });
  evaluator.start();
  return { storage, queue, pool, evaluator, conditions };
}

let agentCount = 0;

/** CPU seconds used by this process (every thread: the pools' workers are threads) since `c0`. */
function cpuSince(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

/** Evaluates one fresh random-agent version; frames recorded and wall seconds. */
async function evalRound(
  rig: EvalRig,
): Promise<{ frames: number; seconds: number; cpuSeconds: number }> {
  const { agentId } = addAgent(rig.storage, {
    name: `random${agentCount++}`,
    kind: 'builtin',
    versions: 0,
  });
  const version = rig.storage.addAgentVersion({ agentId, metadata: { builtin: 'random' } });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const { job } = await rig.queue.enqueue({ payload: { versionId: version.id } });
  for (;;) {
    const state = (await rig.queue.get(job.id))?.state;
    if (state === 'completed') break;
    if (state === 'failed')
      throw new Error(`evaluation job failed: ${(await rig.queue.get(job.id))?.lastError}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = cpuSince(c0);
  const episodes = rig.storage.listEpisodes({ versionId: version.id, limit: 1000 });
  return { frames: episodes.reduce((sum, e) => sum + e.frames, 0), seconds, cpuSeconds };
}

async function main(): Promise<void> {
  const { wall: board, cpu: boardCpu } = leaderboardLatency();
  console.error(
    `leaderboard wall p50 ${board.p50.toFixed(3)} ms, p99 ${board.p99.toFixed(3)} ms (cpu p99 ${boardCpu.p99.toFixed(3)} ms)`,
  );

  const rig = startEvalRig();
  const c = rig.conditions;
  const vec = await makeVectorEnv({
    module: fileURLToPath(new URL('../../emulators/index.ts', import.meta.url)),
    options: {
      game: 'brick',
      stickyActionProbability: c.stickyActionProbability,
      noopMax: c.noopMax,
      maxEpisodeFrames: c.maxEpisodeFrames,
    },
    numEnvs: cores * EPISODES_PER_WORKER,
    workers: cores,
    mode: 'workers',
  });
  const rng = new Rng(1);
  const actions = new Int32Array(vec.numEnvs);
  const vecRound = async (seconds: number) => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let steps = 0;
    while (performance.now() - t0 < seconds * 1000) {
      for (let i = 0; i < actions.length; i++) actions[i] = rng.int(vec.actionSpace.n);
      await vec.stepAsync(actions);
      steps++;
    }
    const frames = steps * vec.numEnvs * 4;
    return { fps: frames / ((performance.now() - t0) / 1000), perCpu: frames / cpuSince(c0) };
  };
  vec.reset({ seed: 1 });
  await evalRound(rig); // warm-up: worker start-up and JIT
  await vecRound(2);
  const evalFps: number[] = [];
  const vecFps: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const e = await evalRound(rig);
    const ef = e.frames / e.seconds;
    const v = await vecRound(e.seconds);
    evalFps.push(ef);
    vecFps.push(v.fps);
    ratios.push(ef / v.fps);
    cpuRatios.push(e.frames / e.cpuSeconds / v.perCpu);
    console.error(
      `round ${r + 1}: eval ${ef.toFixed(0)} frames/s (${e.frames} frames, ${e.seconds.toFixed(1)} s), vec ${v.fps.toFixed(0)} frames/s, ` +
        `ratio ${(ef / v.fps).toFixed(3)} (per CPU second ${cpuRatios[r].toFixed(3)}), load ${loadavg()[0].toFixed(1)}`,
    );
  }
  await vec.close();
  rig.evaluator.stop();
  await rig.pool.close();
  await rig.evaluator.drain();
  rig.storage.close();
  rmSync(work, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      leaderboardEpisodes: EPISODES,
      leaderboardP50Ms: Number(board.p50.toFixed(4)),
      leaderboardP99Ms: Number(board.p99.toFixed(4)),
      leaderboardCpuP99Ms: Number(boardCpu.p99.toFixed(4)),
      evalFps: Math.round(median(evalFps)),
      vecFps: Math.round(median(vecFps)),
      evalRatio: Number(median(ratios).toFixed(3)),
      evalRatioCpu: Number(median(cpuRatios).toFixed(3)),
      workers: cores,
      rounds: ROUNDS,
      loadAverage: Number(loadavg()[0].toFixed(2)),
    }),
  );
}

await main();
