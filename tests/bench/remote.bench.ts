/**
 * Remote-agent benchmark (`npm run bench:remote [-- --agents 50 --seconds 15 --rounds 2]`).
 *
 *   remote   AGENTS plain-WebSocket agents on loopback (one separate process, `remoteClients.ts`)
 *            play Brick through a real arena server (this process) with a trivial policy, the
 *            4x84x84 stack each step, for SECONDS after a warm-up. Figures: steps/s per agent
 *            (mean, and the slowest agent), the server's reply latency (observation sent → action
 *            received, the time the step budget charges) p50/p99, the agents' cycle (action sent →
 *            next observation, which includes the emulation) p50/p99, and the emulator frames/s the
 *            server played for them.
 *   local    the same server's local evaluation path for the same time: Brick episodes of the
 *            random agent, one task each as the evaluator runs builtin agents, on its evaluation
 *            worker pool (as many threads as the remote agents' game workers), frames/s.
 *   remoteRatio  median over interleaved rounds of remote frames/s / local frames/s.
 *
 * Target: rttP99Ms < 20 on loopback. The machine may be shared (a training run): the load average
 * is reported with the figures. The last line printed is one JSON object with every figure.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ARENA_CONDITIONS } from '../../agents/evaluation/conditions.ts';
import { loadManifest } from '../../emulators/manifest/index.ts';
import { startServer } from '../../server/app.ts';
import { DEFAULT_REMOTE_OPTIONS } from '../../server/remote/options.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const AGENTS = arg('agents', 50);
const SECONDS = arg('seconds', 15);
const ROUNDS = arg('rounds', 2);
const NICE = arg('nice', DEFAULT_REMOTE_OPTIONS.envWorkerNice);
const WARMUP_MS = 3_000;
const workers = availableParallelism();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

const dataDir = mkdtempSync(join(tmpdir(), 'arena-remote-bench-'));
const server = await startServer({
  port: 0,
  dataDir,
  seed: false,
  showcase: false,
  matches: false,
  workers,
  conditions: ARENA_CONDITIONS,
  remote: {
    envWorkers: workers,
    envWorkerNice: NICE,
    maxSessions: AGENTS + 10,
    maxSessionsPerOwner: AGENTS,
  },
});
const brick = loadManifest().find((e) => e.id === 'brick')!;
server.storage.upsertGame({
  id: 'brick',
  title: brick.title,
  romSha1: brick.sha1,
  baselines: null,
});
const owner = server.storage.createOwner({ name: 'bench' });
const { token } = server.storage.issueToken({ ownerId: owner.id });

interface ClientReport {
  seconds: number;
  steps: number[];
  cycleP50Ms: number;
  cycleP99Ms: number;
  failures: number;
}

async function remoteRound(round: number) {
  const child = spawn(
    process.execPath,
    [
      'bin/run-ts.mjs',
      'tests/bench/remoteClients.ts',
      server.url,
      token,
      String(AGENTS),
      String(SECONDS),
      `r${round}`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const report = new Promise<ClientReport>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') {
        setTimeout(() => {
          server.remote.resetFigures();
          child.stdin!.write('go\n');
        }, WARMUP_MS);
      } else if (line.startsWith('{')) resolve(JSON.parse(line));
    });
    child.on('exit', (code) => reject(new Error(`bench clients exited with ${code}`)));
  });
  const client = await report;
  const figures = server.remote.figures();
  const stepsPerSec = client.steps.map((n) => n / client.seconds);
  // The agents' sessions end with the client process (recorded as DISCONNECT); let them settle.
  await new Promise((r) => setTimeout(r, 1_000));
  return {
    stepsPerSecPerAgent: stepsPerSec.reduce((a, b) => a + b, 0) / stepsPerSec.length,
    slowestAgentStepsPerSec: Math.min(...stepsPerSec),
    rttP50Ms: figures.replyMsP50 ?? Number.NaN,
    rttP99Ms: figures.replyMsP99 ?? Number.NaN,
    cycleP50Ms: client.cycleP50Ms,
    cycleP99Ms: client.cycleP99Ms,
    framesPerSec: figures.frames / client.seconds,
    failures: client.failures,
  };
}

/** Random-agent Brick episodes on the server's own evaluation pool for SECONDS; frames/s. */
async function localRound(round: number): Promise<number> {
  let frames = 0;
  let next = 0;
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  let last = t0;
  const lane = async () => {
    while (performance.now() < deadline) {
      const index = next++;
      await server.executor.run({
        group: `bench-${round}`,
        task: {
          game: 'brick',
          conditions: ARENA_CONDITIONS,
          agent: { kind: 'builtin', name: 'random' },
          episodes: [{ index, seed: 1_000_000 * (round + 2) + index }],
        },
        onEpisode: (result) => {
          frames += result.frames;
          last = performance.now();
        },
      });
    }
  };
  // Twice as many lanes as workers, as the evaluator keeps jobs: a worker never idles between tasks.
  await Promise.all(Array.from({ length: 2 * server.executor.size }, lane));
  return frames / ((last - t0) / 1000);
}

const loadBefore = loadavg();
const rounds: Array<{ local: number; remote: Awaited<ReturnType<typeof remoteRound>> }> = [];
try {
  // Warms the evaluation workers (module loading, JIT) before the first timed round.
  await localRound(-1);
  for (let r = 0; r < ROUNDS; r++) {
    const local = await localRound(r);
    const remote = await remoteRound(r);
    rounds.push({ local, remote });
    console.error(
      `round ${r + 1}: local ${local.toFixed(0)} frames/s; remote ${remote.framesPerSec.toFixed(0)} frames/s, ` +
        `${remote.stepsPerSecPerAgent.toFixed(1)} steps/s per agent (slowest ${remote.slowestAgentStepsPerSec.toFixed(1)}), ` +
        `reply p50 ${remote.rttP50Ms.toFixed(2)} ms p99 ${remote.rttP99Ms.toFixed(2)} ms, ` +
        `cycle p50 ${remote.cycleP50Ms.toFixed(1)} ms p99 ${remote.cycleP99Ms.toFixed(1)} ms`,
    );
  }
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
const loadAfter = loadavg();

const pick = (f: (r: (typeof rounds)[number]) => number) => round2(median(rounds.map(f)));
const result = {
  agents: AGENTS,
  seconds: SECONDS,
  rounds: ROUNDS,
  workers,
  envWorkerNice: NICE,
  observation: '4x84x84',
  stepsPerSecPerAgent: pick((r) => r.remote.stepsPerSecPerAgent),
  slowestAgentStepsPerSec: pick((r) => r.remote.slowestAgentStepsPerSec),
  rttP50Ms: pick((r) => r.remote.rttP50Ms),
  rttP99Ms: pick((r) => r.remote.rttP99Ms),
  cycleP50Ms: pick((r) => r.remote.cycleP50Ms),
  cycleP99Ms: pick((r) => r.remote.cycleP99Ms),
  remoteFramesPerSec: pick((r) => r.remote.framesPerSec),
  localFramesPerSec: pick((r) => r.local),
  remoteRatio: pick((r) => r.remote.framesPerSec / r.local),
  clientFailures: rounds.reduce((n, r) => n + r.remote.failures, 0),
  loadAverage1m: { before: round2(loadBefore[0]), after: round2(loadAfter[0]) },
  rttTargetMet: median(rounds.map((r) => r.remote.rttP99Ms)) < 20,
};
console.log(JSON.stringify(result));
process.exit(0);
