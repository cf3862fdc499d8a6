/**
 * Starting one vector worker thread and waiting for its envs: the main-thread side of the
 * start-up messages in `workerProtocol.ts`.
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { EnvSpec } from './vectorEnv.ts';
import { errorFromDetail, type WorkerInit, type WorkerReport } from './workerProtocol.ts';

const WORKER_URL = new URL('./vectorWorker.ts', import.meta.url);
// See registerTsx.mjs for why this is not `--import tsx`.
const PRELOAD_URL = new URL('./registerTsx.mjs', import.meta.url);

export interface WorkerSlot {
  worker: Worker;
  errorPort: MessagePort;
  statePort: MessagePort;
  first: number;
  count: number;
  exited: Promise<number>;
  exitCode: number | undefined;
  lastError: Error | undefined;
}

export function startWorker(
  spec: EnvSpec,
  workerIndex: number,
  range: { first: number; count: number },
  nice = 0,
): WorkerSlot {
  const { port1, port2 } = new MessageChannel();
  const state = new MessageChannel();
  const init: WorkerInit = {
    spec,
    workerIndex,
    ...range,
    errorPort: port2,
    statePort: state.port2,
    nice,
  };
  const worker = new Worker(WORKER_URL, {
    workerData: init,
    transferList: [port2, state.port2],
    execArgv: ['--import', PRELOAD_URL.href],
  });
  const slot: WorkerSlot = {
    worker,
    errorPort: port1,
    statePort: state.port1,
    ...range,
    exited: Promise.resolve(0),
    exitCode: undefined,
    lastError: undefined,
  };
  // Without an 'error' listener a crashing worker would take the whole process down with it.
  worker.on('error', (error) => {
    slot.lastError = error;
  });
  slot.exited = new Promise((resolve) => {
    worker.once('exit', (code) => {
      slot.exitCode = code;
      resolve(code);
    });
  });
  return slot;
}

export function awaitReady(
  slot: WorkerSlot,
  w: number,
  timeoutMs: number,
): Promise<Extract<WorkerReport, { type: 'ready' }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${describeSlot(slot, w)} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => clearTimeout(timer);
    slot.worker.once('message', (report: WorkerReport) => {
      done();
      if (report.type === 'ready') resolve(report);
      else reject(errorFromDetail(`${describeSlot(slot, w)} could not create its envs`, report));
    });
    slot.exited.then((code) => {
      done();
      const reason = slot.lastError ? `: ${slot.lastError.message}` : '';
      reject(new Error(`${describeSlot(slot, w)} exited during start-up (code ${code})${reason}`));
    });
  });
}

export function describeSlot(slot: { first: number; count: number }, w: number): string {
  const last = slot.first + slot.count - 1;
  return `vector worker ${w} (env${slot.count > 1 ? `s ${slot.first}-${last}` : ` ${slot.first}`})`;
}
