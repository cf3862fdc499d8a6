/**
 * Remote agents' games run on worker threads (`envWorker.ts`), never on the HTTP thread: one
 * emulator step takes a few milliseconds, and fifty agents stepping on the thread that reads
 * their sockets would make every reply wait for everyone else's emulation. Each environment
 * lives on the worker with the fewest; workers start on first use. A worker that dies fails the
 * requests of its environments (their episodes end as errors) and the others carry on.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EvalConditions } from '../../agents/evaluation/conditions.ts';
import type { ObservationFormat } from './protocol.ts';

const WORKER_URL = new URL('./envWorker.ts', import.meta.url);
const PRELOAD_URL = new URL('../workers/registerTsx.mjs', import.meta.url);

export type EnvConditions = Pick<
  EvalConditions,
  'stickyActionProbability' | 'noopMax' | 'maxEpisodeFrames'
>;

export type EnvRequest =
  | {
      type: 'open';
      id: number;
      game: string;
      settings?: Record<string, string>;
      seed: number;
      conditions: EnvConditions;
      format: ObservationFormat;
    }
  /** The agent's action for the observation last reported: the episode's runner plays it. */
  | { type: 'step'; id: number; action: number }
  /** End the episode where it stands (forfeit) and report it. */
  | { type: 'finish'; id: number }
  /** Drop the environment without a report. */
  | { type: 'close'; id: number };

export interface EnvReport {
  id: number;
  /** The observation to send: protocol header and pixels (empty after `finish`). */
  frame: Uint8Array;
  /** Agent steps since the reset. */
  step: number;
  score: number;
  /** Emulator frames since the reset. */
  frames: number;
  /** Set when the episode is over: what its replay needs. */
  end: {
    truncated: boolean;
    gameSeed: number;
    romSha1: string;
    /** One controller byte per emulator frame. */
    actions: Uint8Array;
  } | null;
}

export type EnvWorkerMessage =
  | { type: 'report'; report: EnvReport }
  | { type: 'error'; id: number; message: string };

interface Pending {
  resolve: (report: EnvReport) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  envs: Set<number>;
  pending: Map<number, Pending>;
  lastError: string | null;
}

export class EnvHost {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly slotOf = new Map<number, Slot>();
  private nextId = 1;
  private closed = false;

  private readonly nice: number;

  /**
   * `workers`: threads (default one per core); `nice`: how much to lower their scheduling priority
   * below the HTTP thread's (Linux; 0 leaves it alone).
   */
  constructor(options: { workers?: number; nice?: number } = {}) {
    this.size = Math.max(1, Math.trunc(options.workers ?? availableParallelism()));
    this.nice = options.nice ?? 0;
  }

  /** Environments open now. */
  get open(): number {
    return this.slotOf.size;
  }

  /** Starts an episode; resolves with its first observation and the id to step it by. */
  async start(
    request: Omit<Extract<EnvRequest, { type: 'open' }>, 'type' | 'id'>,
  ): Promise<EnvReport> {
    if (this.closed) throw new Error('the arena is shutting down');
    const slot = this.pickSlot();
    const id = this.nextId++;
    slot.envs.add(id);
    this.slotOf.set(id, slot);
    try {
      return await this.request(slot, { type: 'open', id, ...request });
    } catch (error) {
      this.forget(id);
      throw error;
    }
  }

  /** Plays one agent step; the report's `end` is set when the episode is over (env released). */
  async step(id: number, action: number): Promise<EnvReport> {
    const report = await this.request(this.slotFor(id), { type: 'step', id, action });
    if (report.end) this.forget(id);
    return report;
  }

  /** Ends an episode where it stands and returns its score and replay (env released). */
  async finish(id: number): Promise<EnvReport> {
    try {
      return await this.request(this.slotFor(id), { type: 'finish', id });
    } finally {
      this.forget(id);
    }
  }

  /** Drops an environment without a report (nothing is waiting on it). */
  discard(id: number): void {
    const slot = this.slotOf.get(id);
    if (!slot) return;
    this.forget(id);
    slot.worker.postMessage({ type: 'close', id } satisfies EnvRequest);
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('the arena is shutting down');
    await Promise.all(
      this.slots.splice(0).map(async (slot) => {
        for (const p of slot.pending.values()) p.reject(error);
        slot.pending.clear();
        await slot.worker.terminate();
      }),
    );
    this.slotOf.clear();
  }

  private slotFor(id: number): Slot {
    const slot = this.slotOf.get(id);
    if (!slot) throw new Error(`environment ${id} is gone`);
    return slot;
  }

  private forget(id: number): void {
    this.slotOf.get(id)?.envs.delete(id);
    this.slotOf.delete(id);
  }

  private request(slot: Slot, request: EnvRequest): Promise<EnvReport> {
    if (slot.pending.has(request.id))
      return Promise.reject(new Error(`environment ${request.id} is busy`));
    return new Promise<EnvReport>((resolve, reject) => {
      slot.pending.set(request.id, { resolve, reject });
      // Referenced only while someone waits on it: idle workers never keep a process alive.
      if (slot.pending.size === 1) slot.worker.ref();
      slot.worker.postMessage(request);
    });
  }

  private pickSlot(): Slot {
    if (this.slots.length < this.size) return this.spawn();
    let best = this.slots[0];
    for (const slot of this.slots) if (slot.envs.size < best.envs.size) best = slot;
    return best;
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, {
      execArgv: ['--import', PRELOAD_URL.href],
      workerData: { nice: this.nice },
    });
    worker.unref();
    const slot: Slot = { worker, envs: new Set(), pending: new Map(), lastError: null };
    this.slots.push(slot);
    worker.on('message', (message: EnvWorkerMessage) => {
      const id = message.type === 'report' ? message.report.id : message.id;
      const pending = slot.pending.get(id);
      if (!pending) return;
      slot.pending.delete(id);
      if (slot.pending.size === 0) worker.unref();
      if (message.type === 'report') pending.resolve(message.report);
      else pending.reject(new Error(message.message));
    });
    worker.on('error', (error) => {
      slot.lastError = error.message;
    });
    worker.on('exit', (code) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const why = slot.lastError ? `: ${slot.lastError}` : '';
      const error = new Error(`game worker stopped (exit code ${code})${why}`);
      for (const p of slot.pending.values()) p.reject(error);
      slot.pending.clear();
      for (const id of slot.envs) this.slotOf.delete(id);
      slot.envs.clear();
    });
    return slot;
  }
}
