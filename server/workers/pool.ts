/**
 * `EpisodeExecutor` (and `MatchExecutor`) on a pool of worker threads, one task per worker at a
 * time, so episodes and matches never run on the HTTP thread. A worker that dies (native fault, out of memory, `process.exit`) fails
 * the task it was running with a reason and is replaced; the server carries on.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { EpisodeExecutor, RunTaskOptions } from '../eval/executor.ts';
import type { MatchExecutor, RunMatchOptions } from '../matches/executor.ts';
import { serveRelay } from '../matches/relay.ts';
import { TaskQueue } from './taskQueue.ts';
import type { PoolRequest, WorkerMessage } from './workerProtocol.ts';

const WORKER_URL = new URL('./worker.ts', import.meta.url);
const PRELOAD_URL = new URL('./registerTsx.mjs', import.meta.url);

export interface WorkerPoolOptions {
  /** Worker threads. Default `os.availableParallelism()`. */
  size?: number;
}

/** An evaluation task or a match pairing, with what to call per result. */
type Job =
  | {
      kind: 'eval';
      task: RunTaskOptions['task'];
      onEpisode: RunTaskOptions['onEpisode'];
      live?: RunTaskOptions['live'];
    }
  | {
      kind: 'match';
      task: RunMatchOptions['task'];
      onLeg: RunMatchOptions['onLeg'];
      relays?: RunMatchOptions['relays'];
    };

interface PendingTask {
  id: number;
  group: string;
  priority?: number;
  job: Job;
  resolve: () => void;
  reject: (error: Error) => void;
  /** Set once the task failed (an `onEpisode` throw); later episodes are dropped. */
  failed: boolean;
  /** This thread's ends of the task's relays, closed once the task settles. */
  ports: MessagePort[];
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: PendingTask | null;
  lastError: string | null;
}

export class WorkerPool implements EpisodeExecutor, MatchExecutor {
  readonly size: number;
  private readonly slots = new Set<Slot>();
  /** Waiting tasks, by priority and taking turns across groups. */
  private readonly queued = new TaskQueue<PendingTask>();
  private nextId = 1;
  private closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    this.size = Math.max(1, Math.trunc(options.size ?? availableParallelism()));
    for (let i = 0; i < this.size; i++) this.spawn();
  }

  run(opts: RunTaskOptions): Promise<void> {
    return this.enqueue(opts.group, opts.priority, {
      kind: 'eval',
      task: opts.task,
      onEpisode: opts.onEpisode,
      live: opts.live,
    });
  }

  runMatch(opts: RunMatchOptions): Promise<void> {
    return this.enqueue(opts.group ?? 'matches', opts.priority, {
      kind: 'match',
      task: opts.task,
      onLeg: opts.onLeg,
      relays: opts.relays,
    });
  }

  private enqueue(group: string, priority: number | undefined, job: Job): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the evaluation pool is closed'));
    return new Promise<void>((resolve, reject) => {
      const release = () => {
        for (const port of task.ports) port.close();
        task.ports = [];
      };
      const task: PendingTask = {
        id: this.nextId++,
        group,
        priority,
        job,
        resolve: () => {
          release();
          resolve();
        },
        reject: (error) => {
          release();
          reject(error);
        },
        failed: false,
        ports: [],
      };
      this.queued.push(task);
      this.dispatch();
    });
  }

  load(): number {
    let n = this.queued.size;
    for (const slot of this.slots) if (slot.task) n++;
    return n;
  }

  /** Kills one busy worker as a crash would (tests of crash handling). False when none is busy. */
  crashOne(): boolean {
    for (const slot of this.slots) {
      if (slot.task) {
        slot.worker.postMessage({ type: 'crash' } satisfies PoolRequest);
        return true;
      }
    }
    return false;
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('the evaluation pool closed');
    for (const task of this.queued.clear()) task.reject(error);
    const exits = [...this.slots].map(async (slot) => {
      slot.task?.reject(error);
      slot.task = null;
      await slot.worker.terminate();
    });
    await Promise.all(exits);
    this.slots.clear();
  }

  private spawn(): void {
    const worker = new Worker(WORKER_URL, { execArgv: ['--import', PRELOAD_URL.href] });
    const slot: Slot = { worker, ready: false, task: null, lastError: null };
    this.slots.add(slot);
    worker.on('message', (message: WorkerMessage) => this.onMessage(slot, message));
    worker.on('error', (error) => {
      slot.lastError = error.message;
    });
    worker.on('exit', (code) => this.onExit(slot, code));
  }

  private onMessage(slot: Slot, message: WorkerMessage): void {
    if (message.type === 'ready') {
      slot.ready = true;
      this.dispatch();
      return;
    }
    const task = slot.task;
    if (message.type === 'liveRoom') {
      // A room of a task that is over, or that nobody hosts, is closed at once.
      const host = task?.id === message.taskId && task.job.kind === 'eval' ? task.job.live : null;
      if (host) host.onRoom(message.room, message.port);
      else message.port.close();
      return;
    }
    if (!task || task.id !== message.taskId) return;
    if (message.type === 'episode' || message.type === 'leg') {
      if (task.failed) return;
      try {
        if (message.type === 'episode' && task.job.kind === 'eval') {
          task.job.onEpisode(message.result);
        } else if (message.type === 'leg' && task.job.kind === 'match') {
          task.job.onLeg(message.result);
        }
      } catch (error) {
        task.failed = true;
        task.reject(error as Error);
      }
      return;
    }
    slot.task = null;
    if (!task.failed) {
      if (message.type === 'done') task.resolve();
      else {
        const error = new Error(message.message) as Error & { code?: string };
        error.code = message.code;
        task.reject(error);
      }
    }
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    this.slots.delete(slot);
    if (this.closed) return;
    const task = slot.task;
    slot.task = null;
    if (task && !task.failed) {
      const why = slot.lastError ? `: ${slot.lastError}` : '';
      task.reject(new Error(`evaluation worker crashed (exit code ${code})${why}`));
    }
    this.spawn();
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.task) continue;
      const task = this.queued.shift();
      if (!task) return;
      slot.task = task;
      if (task.job.kind === 'eval') {
        const { job } = task;
        slot.worker.postMessage({
          type: 'run',
          taskId: task.id,
          task: job.task,
          live: job.live?.options,
        } satisfies PoolRequest);
        continue;
      }
      // Each relayed player answers from this thread over its own channel.
      const relays: { index: number; port: MessagePort }[] = [];
      for (const [index, player] of task.job.relays ?? []) {
        const { port1, port2 } = new MessageChannel();
        void serveRelay(player, port1);
        task.ports.push(port1);
        relays.push({ index, port: port2 });
      }
      slot.worker.postMessage(
        { type: 'match', taskId: task.id, task: task.job.task, relays } satisfies PoolRequest,
        relays.map((r) => r.port),
      );
    }
  }
}
