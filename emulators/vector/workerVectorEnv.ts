/**
 * N envs spread over `worker_threads`, after Gymnasium's `AsyncVectorEnv` but with shared memory
 * instead of pipes: every per-step array lives in one SharedArrayBuffer that the workers write
 * directly, and a step is signalled through a shared Int32Array with Atomics (see
 * `workerProtocol.ts`). A step posts no message and allocates nothing.
 *
 * `step` blocks the calling thread in `Atomics.wait` until every worker has answered. That is the
 * right trade for a training loop, whose next move needs the observations anyway; use `stepAsync`
 * where the event loop must keep running (a server). Worker output (console.log) is relayed by the
 * main thread's event loop, so it may appear late while `step` is being called in a tight loop.
 *
 * `stepSend` + `stepWait` split a step in two (Gymnasium's step_async/step_wait) so the caller
 * can compute while the workers step.
 *
 * Errors: a command that throws in a worker makes `step`/`reset` throw an Error naming the worker,
 * its envs and the original message (a `UserError` stays one); a worker that exits unasked is
 * reported the same way. After either, the vector env refuses further commands until closed.
 * Idle workers do not keep the process alive, so a forgotten `close()` cannot hang an exit.
 */
import { availableParallelism } from 'node:os';
import { receiveMessageOnPort } from 'node:worker_threads';
import type { BoxSpace, DiscreteSpace } from '../core.ts';
import { UserError } from '../errors.ts';
import {
  type EnvBatchState,
  parseVectorEnvState,
  sliceBatchState,
  type VectorEnvState,
  vectorEnvState,
} from './envBatch.ts';
import { checkActions, checkNumEnvs, checkSeed } from './syncVectorEnv.ts';
import {
  assertSameSpaces,
  createVectorBuffers,
  type EnvSpec,
  observationSize,
  type VectorBuffers,
  type VectorEnv,
  type VectorResetOptions,
  type VectorStepResult,
} from './vectorEnv.ts';
import {
  type AttachMessage,
  CMD,
  Command,
  type CommandError,
  controlLength,
  errorFromDetail,
  exitCodeIndex,
  HAS_SEED,
  PENDING,
  SEED,
  SEQ,
  Status,
  splitEnvs,
  statusIndex,
  type WorkerReport,
} from './workerProtocol.ts';
import { awaitReady, describeSlot, startWorker, type WorkerSlot } from './workerSlot.ts';

export interface WorkerVectorEnvOptions {
  /** Worker threads to use; default `os.availableParallelism()`, never more than `numEnvs`. */
  workers?: number;
  /** A command (reset, step) taking longer than this throws instead of hanging. Default 120 s. */
  commandTimeoutMs?: number;
  /** Worker start-up (module import and env construction) limit. Default 120 s. */
  startTimeoutMs?: number;
  /**
   * Niceness (0-19) of the worker threads, where the OS sets it per thread (Linux). Above 0 the
   * workers give way to the other threads of the process: a trainer whose main thread learns
   * while the workers emulate wants its learner to run first (see agents/dqn/gameEnvs.ts).
   * Default 0.
   */
  nice?: number;
}

// How long one Atomics.wait lasts before the main thread looks at the workers' status words; it
// bounds how late a worker's death is noticed when the wake-up from its exit hook is missed.
const WAIT_SLICE_MS = 200;
const CLOSE_GRACE_MS = 5_000;

type AtomicsWithWaitAsync = typeof Atomics & {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
    timeout?: number,
  ): { async: false; value: string } | { async: true; value: Promise<string> };
};

export class WorkerVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly obsSize: number;
  /** Whether `getState`/`setState` work: every env can save and restore its state. */
  readonly resumable: boolean;
  /** Each worker thread's niceness, null where the OS could not set or report it. */
  readonly workerNice: readonly (number | null)[];
  private readonly buffers: VectorBuffers;
  private readonly control: Int32Array;
  private failure: Error | undefined;
  private busy = false;
  private closed: Promise<void> | undefined;

  /** Starts the workers and builds the envs inside them; rejects if any worker fails to. */
  static async create(
    spec: EnvSpec,
    numEnvs: number,
    options: WorkerVectorEnvOptions = {},
  ): Promise<WorkerVectorEnv> {
    checkNumEnvs(numEnvs);
    const workers = Math.min(options.workers ?? availableParallelism(), numEnvs);
    if (!Number.isInteger(workers) || workers < 1) {
      throw new Error(`workers must be a positive integer, got ${options.workers}`);
    }
    const nice = options.nice ?? 0;
    if (!Number.isInteger(nice) || nice < 0 || nice > 19) {
      throw new Error(`nice must be an integer from 0 to 19, got ${options.nice}`);
    }
    const slots = splitEnvs(numEnvs, workers).map((range, w) => startWorker(spec, w, range, nice));
    let reports: Extract<WorkerReport, { type: 'ready' }>[];
    try {
      reports = await Promise.all(
        slots.map((slot, w) => awaitReady(slot, w, options.startTimeoutMs ?? 120_000)),
      );
      for (let w = 1; w < workers; w++) assertSameSpaces(reports[0], reports[w], `worker ${w}`);
    } catch (error) {
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
      throw error;
    }
    // Idle workers must not keep the process alive: a script that ends without close() exits
    // (its workers die with it). stepAsync and close() hold them while they wait on them.
    for (const slot of slots) slot.worker.unref();
    return new WorkerVectorEnv(slots, numEnvs, reports, options.commandTimeoutMs ?? 120_000);
  }

  private constructor(
    private readonly slots: WorkerSlot[],
    numEnvs: number,
    reports: Extract<WorkerReport, { type: 'ready' }>[],
    private readonly commandTimeoutMs: number,
  ) {
    const spaces = reports[0];
    this.resumable = reports.every((report) => report.resumable);
    this.workerNice = reports.map((report) => report.nice);
    this.numEnvs = numEnvs;
    this.observationSpace = spaces.observationSpace;
    this.actionSpace = spaces.actionSpace;
    this.obsSize = observationSize(this.observationSpace);
    this.buffers = createVectorBuffers(numEnvs, this.obsSize, { shared: true });
    const control = new SharedArrayBuffer(controlLength(slots.length) * 4);
    this.control = new Int32Array(control);
    const attach: AttachMessage = {
      type: 'attach',
      numEnvs,
      buffer: this.buffers.buffer as SharedArrayBuffer,
      control,
    };
    for (const slot of slots) slot.worker.postMessage(attach);
  }

  /** Worker threads still running (0 once `close()` has resolved). */
  get liveWorkers(): number {
    return this.slots.filter((slot) => slot.exitCode === undefined).length;
  }

  reset(options: VectorResetOptions = {}): VectorStepResult {
    const seed = options.seed;
    checkSeed(seed);
    this.begin();
    Atomics.store(this.control, HAS_SEED, seed === undefined ? 0 : 1);
    Atomics.store(this.control, SEED, seed ?? 0);
    this.issue(Command.RESET);
    this.finishSync(Command.RESET);
    return this.buffers.result;
  }

  step(actions: Int32Array): VectorStepResult {
    this.stepSend(actions);
    return this.stepWait();
  }

  /**
   * The first half of `step` (Gymnasium's `step_async`): the workers start stepping and this
   * returns at once, so the caller can compute (train) meanwhile. Call `stepWait` before any other
   * method; the result views must not be read in between.
   */
  stepSend(actions: Int32Array): void {
    checkActions(actions, this.numEnvs);
    this.begin();
    this.buffers.actions.set(actions);
    this.issue(Command.STEP);
  }

  /** The second half of `step` (Gymnasium's `step_wait`): blocks until every worker is done. */
  stepWait(): VectorStepResult {
    if (!this.busy) throw new Error('WorkerVectorEnv: stepWait without a stepSend');
    this.finishSync(Command.STEP);
    return this.buffers.result;
  }

  async stepAsync(actions: Int32Array): Promise<VectorStepResult> {
    checkActions(actions, this.numEnvs);
    this.begin();
    this.buffers.actions.set(actions);
    this.issue(Command.STEP);
    const deadline = performance.now() + this.commandTimeoutMs;
    // A pending Atomics.waitAsync does not keep the event loop alive; the workers' handles do.
    for (const slot of this.slots) slot.worker.ref();
    try {
      for (;;) {
        const pending = Atomics.load(this.control, PENDING);
        if (pending === 0) break;
        this.checkAlive(Command.STEP, deadline);
        const wait = (Atomics as AtomicsWithWaitAsync).waitAsync(
          this.control,
          PENDING,
          pending,
          WAIT_SLICE_MS,
        );
        if (wait.async) await wait.value;
      }
      this.checkErrors(Command.STEP);
    } finally {
      this.busy = false;
      for (const slot of this.slots) slot.worker.unref();
    }
    return this.buffers.result;
  }

  /**
   * Every env's state, the episode counters and the result views, gathered from the workers (a
   * blocking round trip, like `reset`); undefined when an env cannot save its state. The same
   * format as `SyncVectorEnv.getState`.
   */
  getState(): VectorEnvState | undefined {
    if (!this.resumable) return undefined;
    this.begin();
    this.issue(Command.GET_STATE);
    this.finishSync(Command.GET_STATE);
    const parts = this.slots.map((slot, w) => {
      const message = receiveMessageOnPort(slot.statePort);
      if (!message) this.fail(new Error(`${describeSlot(slot, w)} answered without its state`));
      return message.message as EnvBatchState;
    });
    return vectorEnvState(this.buffers, {
      envs: parts.flatMap((p) => p.envs),
      episodeReturns: parts.flatMap((p) => p.episodeReturns),
      episodeLengths: parts.flatMap((p) => p.episodeLengths),
    });
  }

  /** Puts back a `getState` result (of this class or of `SyncVectorEnv` with as many envs). */
  setState(state: unknown): void {
    if (!this.resumable) {
      throw new UserError('this vector env cannot restore its state', 'ENV_NOT_RESUMABLE');
    }
    const bytes = this.buffers.buffer.byteLength;
    const { batch, results } = parseVectorEnvState(state, this.numEnvs, bytes);
    this.begin();
    for (const slot of this.slots) {
      slot.statePort.postMessage(sliceBatchState(batch, slot.first, slot.count));
    }
    this.issue(Command.SET_STATE);
    this.finishSync(Command.SET_STATE);
    new Uint8Array(this.buffers.buffer).set(results);
  }

  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    const graceful =
      !this.busy && !this.failure && this.slots.every((slot) => slot.exitCode === undefined);
    for (const slot of this.slots) slot.worker.ref();
    // Let the workers close their envs; whoever does not exit in time is terminated.
    if (graceful) this.issue(Command.CLOSE);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, graceful ? CLOSE_GRACE_MS : 0, undefined);
    });
    try {
      await Promise.all(
        this.slots.map(async (slot) => {
          if ((await Promise.race([slot.exited, grace])) === undefined) {
            await slot.worker.terminate();
          }
          await slot.exited;
          slot.errorPort.close();
          slot.statePort.close();
        }),
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private begin(): void {
    if (this.closed) throw new Error('WorkerVectorEnv is closed');
    if (this.failure) {
      throw new Error(
        `WorkerVectorEnv is unusable after an earlier error: ${this.failure.message}`,
      );
    }
    if (this.busy) throw new Error('WorkerVectorEnv: a step is still in flight');
    for (let w = 0; w < this.slots.length; w++) {
      if (this.slots[w].exitCode !== undefined) this.fail(this.deathError(w, '(between steps)'));
    }
    this.busy = true;
  }

  private issue(command: number): void {
    const c = this.control;
    Atomics.store(c, CMD, command);
    Atomics.store(c, PENDING, this.slots.length);
    Atomics.add(c, SEQ, 1);
    Atomics.notify(c, SEQ);
  }

  private finishSync(command: number): void {
    const deadline = performance.now() + this.commandTimeoutMs;
    try {
      for (;;) {
        const pending = Atomics.load(this.control, PENDING);
        if (pending === 0) break;
        this.checkAlive(command, deadline);
        Atomics.wait(this.control, PENDING, pending, WAIT_SLICE_MS);
      }
      this.checkErrors(command);
    } finally {
      this.busy = false;
    }
  }

  private checkAlive(command: number, deadline: number): void {
    // Only stepAsync can get here after close(): the event loop ran while it waited.
    if (this.closed)
      this.fail(new Error(`WorkerVectorEnv was closed during ${commandName(command)}`));
    for (let w = 0; w < this.slots.length; w++) {
      const dead = Atomics.load(this.control, statusIndex(w)) === Status.DEAD;
      if (dead || this.slots[w].exitCode !== undefined) {
        this.fail(this.deathError(w, `during ${commandName(command)}`));
      }
    }
    if (performance.now() > deadline) {
      this.fail(
        new Error(
          `WorkerVectorEnv: no answer to ${commandName(command)} within ${this.commandTimeoutMs} ms`,
        ),
      );
    }
  }

  private checkErrors(command: number): void {
    for (let w = 0; w < this.slots.length; w++) {
      if (Atomics.load(this.control, statusIndex(w)) !== Status.ERROR) continue;
      const slot = this.slots[w];
      const detail = receiveMessageOnPort(slot.errorPort)?.message as CommandError | undefined;
      const error = errorFromDetail(
        `${describeSlot(slot, w)} failed during ${commandName(command)}`,
        detail,
      );
      this.fail(error);
    }
  }

  private deathError(w: number, when: string): Error {
    const slot = this.slots[w];
    const code = slot.exitCode ?? Atomics.load(this.control, exitCodeIndex(w));
    const reason = slot.lastError ? `: ${slot.lastError.message}` : '';
    return new Error(`${describeSlot(slot, w)} died ${when} (exit code ${code})${reason}`);
  }

  private fail(error: Error): never {
    this.failure ??= error;
    this.busy = false;
    throw error;
  }
}

const COMMAND_NAMES: Record<number, string> = {
  [Command.RESET]: 'reset',
  [Command.STEP]: 'step',
  [Command.CLOSE]: 'close',
  [Command.GET_STATE]: 'getState',
  [Command.SET_STATE]: 'setState',
};

function commandName(command: number): string {
  return COMMAND_NAMES[command] ?? `command ${command}`;
}
