/**
 * Worker-thread entry of `WorkerVectorEnv`: builds its share of the envs from the spec, reports
 * the spaces, receives the shared buffers, then serves commands in a blocking loop until told to
 * close (see `workerProtocol.ts` for the handshake). It never returns to its event loop while
 * serving, so it answers no messages; the main thread ends it with CLOSE or `terminate()`.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { Env } from '../core.ts';
import { canSaveState } from '../envState.ts';
import { createEnvs, EnvBatch } from './envBatch.ts';
import { createVectorBuffers, observationSize } from './vectorEnv.ts';
import {
  type AttachMessage,
  CMD,
  Command,
  type CommandError,
  errorDetail,
  exitCodeIndex,
  HAS_SEED,
  PENDING,
  SEED,
  SEQ,
  Status,
  statusIndex,
  type WorkerInit,
  type WorkerReport,
} from './workerProtocol.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
let control: Int32Array | undefined;
let closing = false;

// Whatever ends this thread unasked (process.exit in an env, an uncaught error) must wake the
// main thread, which may be blocked in Atomics.wait for this worker's answer.
process.on('exit', (code) => {
  if (!control || closing) return;
  Atomics.store(control, exitCodeIndex(init.workerIndex), code);
  Atomics.store(control, statusIndex(init.workerIndex), Status.DEAD);
  Atomics.notify(control, PENDING);
});

/**
 * Gives this thread the niceness `nice` and returns the niceness it has, or null where threads
 * cannot be told apart: on Linux nice is per thread, and /proc/thread-self names this one (its
 * last path part is the thread id that setpriority takes). Raising one's own niceness needs no
 * privilege; lowering it below the current value does, and then the current value is reported.
 */
function setThreadNice(nice: number): number | null {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
  } catch {
    return null;
  }
  if (!Number.isInteger(tid) || tid <= 0) return null;
  try {
    if (nice !== 0) setPriority(tid, nice);
  } catch {
    // Not allowed (a lower niceness than the thread has): keep what it has.
  }
  try {
    return getPriority(tid);
  } catch {
    return null;
  }
}

const nice = setThreadNice(init.nice);

function report(message: WorkerReport): void {
  port.postMessage(message);
}

let envs: Env[];
try {
  envs = await createEnvs(init.spec, init.count);
  report({
    type: 'ready',
    observationSpace: envs[0].observationSpace,
    actionSpace: envs[0].actionSpace,
    resumable: envs.every((env) => canSaveState(env)),
    nice,
  });
} catch (error) {
  report({ type: 'failed', ...errorDetail(error) });
  process.exit(1);
}

port.once('message', (message: AttachMessage) => {
  control = new Int32Array(message.control);
  const obsSize = observationSize(envs[0].observationSpace);
  const buffers = createVectorBuffers(message.numEnvs, obsSize, { buffer: message.buffer });
  serve(control, new EnvBatch(envs, init.first, buffers, obsSize));
  // Ports with listeners or queued messages could keep the thread alive; it has nothing left to do.
  process.exit(0);
});

function serve(ctrl: Int32Array, batch: EnvBatch): void {
  // Not the current SEQ: the main thread may have issued its first command before this worker
  // got the buffers, and a fresh control buffer starts at 0.
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, SEQ, seen);
    const seq = Atomics.load(ctrl, SEQ);
    if (seq === seen) continue;
    seen = seq;
    const command = Atomics.load(ctrl, CMD);
    let status: number = Status.OK;
    try {
      if (command === Command.STEP) batch.step();
      else if (command === Command.RESET) {
        batch.reset(Atomics.load(ctrl, HAS_SEED) ? Atomics.load(ctrl, SEED) : undefined);
      } else if (command === Command.GET_STATE) {
        init.statePort.postMessage(batch.getState());
      } else if (command === Command.SET_STATE) {
        const message = receiveMessageOnPort(init.statePort);
        if (!message) throw new Error('SET_STATE came without a state message');
        batch.setState(message.message);
      } else if (command === Command.CLOSE) {
        closing = true;
        status = Status.CLOSED;
        batch.close();
      } else throw new Error(`unknown command ${command}`);
    } catch (error) {
      const detail: CommandError = { command, ...errorDetail(error) };
      init.errorPort.postMessage(detail);
      status = Status.ERROR;
    }
    Atomics.store(ctrl, statusIndex(init.workerIndex), status);
    if (Atomics.sub(ctrl, PENDING, 1) === 1) Atomics.notify(ctrl, PENDING);
    if (closing) return;
  }
}
