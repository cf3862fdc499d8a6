/**
 * Evaluation worker thread: runs one task at a time with `runEpisodes` and posts each finished
 * episode back at once (the controller bytes are transferred, not copied). An exception becomes
 * an `error` message; a crash of the thread itself is handled by the pool.
 */
import { parentPort } from 'node:worker_threads';
import { runEpisodes } from './runEpisodes.ts';
import type { EvalTask } from './task.ts';
import type { PoolRequest, WorkerMessage } from './workerProtocol.ts';

const port = parentPort;
if (!port) throw new Error('server/eval/worker.ts must run in a worker thread');

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function run(taskId: number, task: EvalTask): Promise<void> {
  try {
    await runEpisodes({
      task,
      onEpisode: (result) =>
        post({ type: 'episode', taskId, result }, [result.actions.buffer as ArrayBuffer]),
    });
    post({ type: 'done', taskId });
  } catch (error) {
    const e = error as Error;
    post({
      type: 'error',
      taskId,
      message: e?.message ?? String(error),
      code: (e as { code?: string })?.code,
    });
  }
}

port.on('message', (request: PoolRequest) => {
  if (request.type === 'run') void run(request.taskId, request.task);
  // A test hook: lets the crash-handling test kill a worker the way a native fault would.
  else if (request.type === 'crash') process.exit(70);
});
post({ type: 'ready' });
