/**
 * The always-on showcase, hosted off the HTTP thread: one worker thread (`showcaseWorker.ts`)
 * emulates every showcase game in real time and publishes each episode through its own message
 * channel (`PortSink`); this side opens the rooms on the hub (`hostPortRoom`), so the server's
 * event loop only encodes and fans out frames. A worker that dies is started again after a
 * growing pause, and its rooms end `stopped` meanwhile.
 */
import { Worker } from 'node:worker_threads';
import { hostPortRoom } from './portRooms.ts';
import type { ClosablePort } from './portSink.ts';
import type { RoomOptions, StreamHub } from './streamHub.ts';

export interface ShowcaseGame {
  game: string;
  /** A builtin agent, or a trained model agent's folder (DQN: its Q-values go with the frames). */
  agent: 'random' | 'scripted' | 'model';
  /** The agent folder when `agent` is 'model' (absolute path). */
  modelDir?: string;
  /** Played instead when the model agent cannot be loaded. */
  fallbackAgent?: 'random' | 'scripted';
  /** Name shown for the built-in computer opponent in two-player games. */
  opponent?: string;
  settings?: Record<string, string>;
}

/** Worker -> main: an episode's room and the port its frames come through. */
export interface ShowcaseRoomMessage {
  type: 'room';
  room: RoomOptions;
  port: ClosablePort;
}
/** Worker -> main: a line for the server's log (a game stopped, a model fell back). */
export interface ShowcaseLogMessage {
  type: 'log';
  line: string;
}
/** Worker -> main: every game stopped (after `stop`); the worker may be ended. */
export interface ShowcaseDoneMessage {
  type: 'done';
}
/** Main -> worker. */
export interface ShowcaseStopMessage {
  type: 'stop';
}

export interface ShowcaseWorkerData {
  games: ShowcaseGame[];
  /** Makes room ids unique across restarts of the worker. */
  runId: string;
}

export interface ShowcaseHost {
  /** The worker's thread id, or null between a crash and the restart. */
  readonly threadId: number | null;
  /** Times the worker was started (1 after a clean start). */
  readonly starts: number;
  /** Ends the worker as a crash would (tests of the restart). */
  kill(): Promise<number> | undefined;
  close(): Promise<void>;
}

const WORKER_URL = new URL('./showcaseWorker.ts', import.meta.url);
const PRELOAD_URL = new URL('../workers/registerTsx.mjs', import.meta.url);

export function startShowcase(options: {
  hub: StreamHub;
  games: ShowcaseGame[];
  log?: (line: string) => void;
  /** First pause before restarting a dead worker; doubles up to a minute. Default 2 s. */
  restartDelayMs?: number;
}): ShowcaseHost {
  const log = options.log ?? (() => {});
  let worker: Worker | null = null;
  let starts = 0;
  let closing = false;
  let restartTimer: NodeJS.Timeout | null = null;
  let delay = options.restartDelayMs ?? 2000;

  const start = () => {
    restartTimer = null;
    if (closing) return;
    starts++;
    const data: ShowcaseWorkerData = {
      games: options.games,
      runId: `${Date.now().toString(36)}${starts}`,
    };
    const w = new Worker(WORKER_URL, {
      execArgv: ['--import', PRELOAD_URL.href],
      workerData: data,
    });
    worker = w;
    w.on('message', (message: ShowcaseRoomMessage | ShowcaseLogMessage | ShowcaseDoneMessage) => {
      if (message?.type === 'room') hostPortRoom(options.hub, message.room, message.port, log);
      else if (message?.type === 'log') log(message.line);
      else if (message?.type === 'done') void w.terminate();
    });
    w.on('error', (error) => log(`showcase worker: ${error.message}`));
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      if (closing) return;
      log(`showcase worker exited (code ${code}); restarting in ${Math.round(delay / 1000)} s`);
      restartTimer = setTimeout(start, delay);
      restartTimer.unref();
      delay = Math.min(delay * 2, 60_000);
    });
  };
  if (options.games.length > 0) start();

  return {
    get threadId() {
      return worker?.threadId ?? null;
    },
    get starts() {
      return starts;
    },
    kill() {
      return worker?.terminate();
    },
    async close() {
      closing = true;
      if (restartTimer) clearTimeout(restartTimer);
      const w = worker;
      if (!w) return;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage({ type: 'stop' } satisfies ShowcaseStopMessage);
      // The games stop at their next frame; a worker stuck in emulation is terminated.
      const timer = setTimeout(() => void w.terminate(), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
