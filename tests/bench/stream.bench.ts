/**
 * Live-streaming benchmark: one real-time game (Brick, random agent, 60 frames a second) streamed
 * over socket.io on loopback to 1, 10 and 100 viewers, each stage bounded in time.
 *
 *   node bin/run-ts.mjs tests/bench/stream.bench.ts [--seconds 10] [--warmup 2]
 *     [--stages 1,10,100] [--game brick] [--viewer-procs 4] [--source worker|live|recorded]
 *
 * `--source worker` (the default) runs the emulator and agent in a worker thread, publishing
 * through a `PortSink`, as `arena serve`'s showcase does: the server's event loop only streams.
 * `--source live` emulates on the server's thread instead (the arrangement before the showcase
 * moved to its worker); `--source recorded` replays recorded frames instead of emulating, to
 * measure the streaming core's cost alone.
 *
 * The server (emulation, encoding, fan-out) runs in this process; the viewers run in child
 * processes (this same file with --viewers-child; --viewer-procs, default 4), so
 * `process.cpuUsage()` here measures the server alone, the viewers' decoding does not run on the
 * server's event loop, and no single viewer process becomes the bottleneck (real viewers are
 * separate browsers). Viewers are real
 * socket.io-client connections using the dashboard's protocol code (`LiveViewer`): they decode
 * every frame, acknowledge, and ask for key frames as a browser would.
 *
 * Reports per stage: delivered (decoded) frames/s per viewer, minimum and median over viewers; the
 * publisher's own frame rate; bytes per frame of the shared stream; server CPU per viewer (the
 * server process's CPU over the stage divided by viewers, % of one core) and the marginal CPU per
 * viewer (minus a stage with no viewers). Each figure is also given as a ratio to the 1-viewer
 * stage of the same run. The last line is one JSON object.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { io, type Socket } from 'socket.io-client';
import { RandomAgent } from '../../agents/randomAgent.ts';
import { makeNesEnv } from '../../emulators/index.ts';
import { LiveViewer } from '../../server/protocol/liveViewer.ts';
import { LIVE_EVENT } from '../../server/protocol/stream.ts';
import { type PortLike, PortSink, pipeToSink } from '../../server/stream/portSink.ts';
import { monotonicClock, NES_FPS, runRealtime } from '../../server/stream/realtimeRunner.ts';
import { recordRandomPlay } from '../../server/stream/recordFrames.ts';
import { listenLiveServer } from '../../server/stream/socketIoTransport.ts';
import { type LiveRoom, StreamHub } from '../../server/stream/streamHub.ts';

const ROOM = 'bench-room';
const THIS_FILE = fileURLToPath(import.meta.url);
const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.mjs', import.meta.url));

// ---- the viewers' side (child process) ----

type ToChild =
  | { kind: 'connect'; url: string; viewers: number }
  | { kind: 'start' }
  | { kind: 'stop' }
  | { kind: 'disconnect' };
interface ViewerCounts {
  decoded: number[];
  skipped: number;
  keyFrames: number;
  /** CPU the viewers' processes used while counting, microseconds. */
  cpuMicros: number;
}
type FromChild = { kind: 'ready' } | { kind: 'counts'; counts: ViewerCounts } | { kind: 'gone' };

async function viewersChild(): Promise<void> {
  const send = (message: FromChild) => process.send!(message);
  let sockets: Socket[] = [];
  let viewers: LiveViewer[] = [];
  let decoded: number[] = [];
  let counting = false;
  let cpuAtStart = process.cpuUsage();
  // The parent ended (or crashed): do not linger with open sockets.
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (message: ToChild) => {
    if (message.kind === 'connect') {
      decoded = new Array(message.viewers).fill(0);
      const joined: Promise<void>[] = [];
      for (let i = 0; i < message.viewers; i++) {
        const socket = io(message.url, { transports: ['websocket'], forceNew: true });
        let onJoined: () => void = () => {};
        joined.push(new Promise<void>((resolve) => (onJoined = resolve)));
        const viewer = new LiveViewer({
          send: (m) => socket.emit(LIVE_EVENT, m),
          validate: false,
          onJoined: () => onJoined(),
          onFrame: () => {
            if (counting) decoded[i]++;
          },
        });
        socket.on(LIVE_EVENT, (m: unknown) => viewer.receive(m));
        socket.on('connect', () => viewer.join(ROOM));
        sockets.push(socket);
        viewers.push(viewer);
      }
      await Promise.all(joined);
      send({ kind: 'ready' });
    } else if (message.kind === 'start') {
      counting = true;
      cpuAtStart = process.cpuUsage();
    } else if (message.kind === 'stop') {
      counting = false;
      const cpu = process.cpuUsage(cpuAtStart);
      const stats = viewers.map((v) => v.stats(ROOM));
      send({
        kind: 'counts',
        counts: {
          decoded,
          skipped: stats.reduce((s, x) => s + (x?.skipped ?? 0), 0),
          keyFrames: stats.reduce((s, x) => s + (x?.keyFrames ?? 0), 0),
          cpuMicros: cpu.user + cpu.system,
        },
      });
    } else if (message.kind === 'disconnect') {
      for (const socket of sockets) socket.disconnect();
      sockets = [];
      viewers = [];
      send({ kind: 'gone' });
    }
  });
}

// ---- the server's side ----

function ask(child: ChildProcess, message: ToChild, answer: FromChild['kind']): Promise<FromChild> {
  return new Promise((resolve) => {
    const onMessage = (reply: FromChild) => {
      if (reply.kind !== answer) return;
      child.off('message', onMessage);
      resolve(reply);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

interface StageResult {
  viewers: number;
  minFps: number;
  medianFps: number;
  publisherFps: number;
  bytesPerFrame: number;
  serverCpuPct: number;
  cpuPerViewerPct: number;
  /** Wall time in the encoder per encoded frame, microseconds. */
  encodeMicros: number;
  /** Server CPU per published frame, ms; 1000 / this is the frame rate one free core allows. */
  serverMsPerFrame: number;
  viewersCpuPct: number;
  drops: number;
  skipped: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      stages: { type: 'string', default: '1,10,100' },
      game: { type: 'string', default: 'brick' },
      'viewer-procs': { type: 'string', default: '4' },
      /**
       * `worker`: emulator + agent in real time in a worker thread (PortSink), as the arena's
       * showcase runs; `live`: the same on the server's thread; `recorded`: replayed frames (the
       * streaming cost alone).
       */
      source: { type: 'string', default: 'worker' },
    },
  });
  const seconds = Number(values.seconds);
  const warmupMs = Number(values.warmup) * 1000;
  const stages = values.stages.split(',').map(Number);
  const viewerProcs = Number(values['viewer-procs']);

  const server = await listenLiveServer();
  const hub = new StreamHub({ transport: server.transport });
  const env = makeNesEnv({ game: values.game });
  const agent = new RandomAgent(env.actionSpace.n, 1);
  const room = hub.openRoom({
    roomId: ROOM,
    game: values.game,
    kind: 'episode',
    players: [{ name: agent.name, agentKind: 'random' }],
    actionNames: [...env.actionSpace.names],
    fps: 60,
    speed: 1,
  });
  const stop = new AbortController();
  let emulator: Worker | undefined;
  const playing =
    values.source === 'recorded'
      ? replay(room, recordRandomPlay({ game: values.game, frames: 600, seed: 1 }), stop.signal)
      : values.source === 'worker'
        ? new Promise<void>((resolve, reject) => {
            emulator = startEmulatorWorker(values.game);
            pipeToSink(emulator, room);
            emulator.once('error', reject);
            emulator.once('exit', () => resolve());
          })
        : (async () => {
            // Episodes back to back into one room, so every stage streams the same live game.
            for (let seed = 1; !stop.signal.aborted; seed++) {
              await runRealtime({
                env,
                agent,
                sink: room,
                seed,
                signal: stop.signal,
                endSink: false,
              });
            }
          })();

  const children = Array.from({ length: viewerProcs }, () =>
    fork(RUN_TS, [THIS_FILE, '--viewers-child'], { stdio: 'inherit' }),
  );
  console.log(
    `stream bench: ${values.game}, random agent, ` +
      (values.source === 'recorded'
        ? 'recorded frames replayed'
        : `emulated (${values.source === 'worker' ? 'worker thread' : 'server thread'})`) +
      ` in real time (60 fps); viewers in ` +
      `${viewerProcs} child processes; ${seconds} s per stage after ${warmupMs / 1000} s warm-up; ` +
      `${new Date().toISOString()}`,
  );
  /** Viewers of a stage spread over the child processes (empty shares are left out). */
  const shares = (viewers: number) =>
    children
      .map((child, i) => ({
        child,
        viewers: Math.floor(viewers / viewerProcs) + (i < viewers % viewerProcs ? 1 : 0),
      }))
      .filter((share) => share.viewers > 0);

  const measure = async (viewers: number): Promise<StageResult> => {
    const parts = shares(viewers);
    await Promise.all(
      parts.map((p) =>
        ask(p.child, { kind: 'connect', url: server.url, viewers: p.viewers }, 'ready'),
      ),
    );
    await sleep(warmupMs);
    const stats0 = room.stats();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const p of parts) p.child.send({ kind: 'start' } satisfies ToChild);
    await sleep(seconds * 1000);
    const replies = await Promise.all(parts.map((p) => ask(p.child, { kind: 'stop' }, 'counts')));
    const counts: ViewerCounts = { decoded: [], skipped: 0, keyFrames: 0, cpuMicros: 0 };
    for (const reply of replies as { counts: ViewerCounts }[]) {
      counts.decoded.push(...reply.counts.decoded);
      counts.skipped += reply.counts.skipped;
      counts.keyFrames += reply.counts.keyFrames;
      counts.cpuMicros += reply.counts.cpuMicros;
    }
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const stats1 = room.stats();
    await Promise.all(parts.map((p) => ask(p.child, { kind: 'disconnect' }, 'gone')));
    const fps = counts.decoded.map((n) => n / elapsed);
    const serverCpuPct = ((cpu.user + cpu.system) / 1e6 / elapsed) * 100;
    const encoded = stats1.encoded - stats0.encoded;
    return {
      viewers,
      minFps: fps.length ? Math.min(...fps) : 0,
      medianFps: median(fps),
      publisherFps: (stats1.frames - stats0.frames) / elapsed,
      bytesPerFrame: encoded > 0 ? (stats1.encodedBytes - stats0.encodedBytes) / encoded : 0,
      serverCpuPct,
      cpuPerViewerPct: viewers > 0 ? serverCpuPct / viewers : 0,
      encodeMicros: encoded > 0 ? ((stats1.encodeMs - stats0.encodeMs) * 1000) / encoded : 0,
      serverMsPerFrame: (cpu.user + cpu.system) / 1000 / Math.max(1, stats1.frames - stats0.frames),
      viewersCpuPct: (counts.cpuMicros / 1e6 / elapsed) * 100,
      drops: stats1.drops - stats0.drops,
      skipped: counts.skipped,
    };
  };

  // The game must be running before anything is measured (a worker boots the emulator first).
  for (let waited = 0; room.stats().frames === 0 && waited < 60_000; waited += 50) await sleep(50);
  const idle = await measure(0);
  console.log(
    `0 viewers (${values.source === 'recorded' ? 'replay' : 'emulation + agent'} only): publisher ${idle.publisherFps.toFixed(1)} fps, ` +
      `server CPU ${idle.serverCpuPct.toFixed(1)}% of a core, ${idle.serverMsPerFrame.toFixed(2)} ms/frame`,
  );
  const results: StageResult[] = [];
  for (const viewers of stages) {
    const r = await measure(viewers);
    results.push(r);
    const base = results[0];
    const ratio = (x: number, b: number) => (b > 0 ? (x / b).toFixed(2) : 'n/a');
    const marginal = (r.serverCpuPct - idle.serverCpuPct) / viewers;
    console.log(
      `${String(viewers).padStart(3)} viewers: fps/viewer min ${r.minFps.toFixed(1)} ` +
        `(x${ratio(r.minFps, base.minFps)} of ${base.viewers}-viewer), median ${r.medianFps.toFixed(1)} ` +
        `(x${ratio(r.medianFps, base.medianFps)}); publisher ${r.publisherFps.toFixed(1)} fps; ` +
        `${r.bytesPerFrame.toFixed(0)} B/frame (x${ratio(r.bytesPerFrame, base.bytesPerFrame)}), ` +
        `encode ${r.encodeMicros.toFixed(0)} us/frame; ` +
        `server CPU ${r.serverCpuPct.toFixed(1)}% = ${r.cpuPerViewerPct.toFixed(2)}%/viewer ` +
        `(x${ratio(r.cpuPerViewerPct, base.cpuPerViewerPct)}), marginal ${marginal.toFixed(2)}%/viewer; ` +
        `${r.serverMsPerFrame.toFixed(2)} ms/frame (x${ratio(r.serverMsPerFrame, base.serverMsPerFrame)}); ` +
        `viewers' process CPU ${r.viewersCpuPct.toFixed(0)}%; drops ${r.drops}, skipped ${r.skipped}`,
    );
  }

  stop.abort();
  await emulator?.terminate();
  await playing;
  for (const child of children) child.kill();
  await hub.close();
  await server.close();

  const last = results.find((r) => r.viewers === 100) ?? results.at(-1)!;
  const totalFrames = room.stats();
  if (last.publisherFps < 55) {
    // Tell apart a slow stream from a slow publisher: the fix differs.
    const needed = last.serverMsPerFrame * 6; // % of one core for 60 frames/s
    console.log(
      `note: at ${last.viewers} viewers the publisher itself ran at ${last.publisherFps.toFixed(1)} fps ` +
        `(viewers got ${((last.medianFps / last.publisherFps) * 100).toFixed(0)}% of its frames, ` +
        `drops ${last.drops}); the server used ${last.serverCpuPct.toFixed(0)}% of a core and 60 fps ` +
        `needs ~${needed.toFixed(0)}%: ${last.serverCpuPct < needed * 0.9 ? 'the process was starved of CPU (shared machine?)' : 'the server is CPU-bound'}`,
    );
  }
  console.log(
    JSON.stringify({
      game: values.game,
      source: values.source,
      seconds,
      viewers: last.viewers,
      viewers100MinFps: round(last.minFps),
      viewers100MedianFps: round(last.medianFps),
      publisherFps: round(last.publisherFps),
      baselineMinFps: round(results[0].minFps),
      bytesPerFrame: round(
        totalFrames.encoded > 0 ? totalFrames.encodedBytes / totalFrames.encoded : 0,
      ),
      encodeMicrosPerFrame: round(
        totalFrames.encoded > 0 ? (totalFrames.encodeMs * 1000) / totalFrames.encoded : 0,
      ),
      cpuPerViewerPct: round(last.cpuPerViewerPct),
      marginalCpuPerViewerPct: round((last.serverCpuPct - idle.serverCpuPct) / last.viewers),
      serverCpuPct: round(last.serverCpuPct),
      serverMsPerFrame: round(last.serverMsPerFrame),
      viewersCpuPct: round(last.viewersCpuPct),
      idleServerCpuPct: round(idle.serverCpuPct),
      drops: last.drops,
    }),
  );
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Publishes recorded frames at 60 a second, on the same drift-free schedule as the runner. */
async function replay(room: LiveRoom, frames: Uint8Array[], signal: AbortSignal): Promise<void> {
  const start = performance.now();
  for (let n = 0; !signal.aborted; n++) {
    await monotonicClock.sleepUntil(start + (n * 1000) / NES_FPS);
    room.publish({
      pixels: frames[n % frames.length],
      step: n >> 2,
      episodeFrame: n,
      score: 0,
      lives: 0,
      action: 'NOOP',
    });
  }
}

/** Runs the game in a worker thread, publishing through a `PortSink` (`--source worker`). */
function startEmulatorWorker(game: string): Worker {
  // tsx's loader is registered per thread, so the worker registers it before importing this file.
  const tsx = import.meta.resolve('tsx/esm/api');
  const source =
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); ` +
    `return import(${JSON.stringify(import.meta.url)}); })`;
  return new Worker(source, { eval: true, workerData: { role: 'emulator', game } });
}

async function emulatorWorker(game: string): Promise<void> {
  const env = makeNesEnv({ game });
  const agent = new RandomAgent(env.actionSpace.n, 1);
  const sink = new PortSink(parentPort as unknown as PortLike);
  for (let seed = 1; !sink.isEnded; seed++) {
    await runRealtime({ env, agent, sink, seed, endSink: false });
  }
}

if (!isMainThread && workerData?.role === 'emulator') {
  await emulatorWorker(workerData.game);
} else if (process.argv.includes('--viewers-child')) {
  await viewersChild();
} else {
  await main();
}
