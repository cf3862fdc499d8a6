/**
 * Evaluation worker thread: runs one task at a time, an evaluation with `runEpisodes` or a match
 * pairing with `runMatchTask`, and posts each finished episode or leg back at once (the
 * controller bytes are transferred, not copied). An exception becomes an `error` message; a
 * crash of the thread itself is handled by the pool.
 */
import { parentPort } from 'node:worker_threads';
import { runMatchTask } from '../matches/runMatch.ts';
import type { MatchTask } from '../matches/task.ts';
import { runEpisodes } from './runEpisodes.ts';
import type { EvalTask } from './task.ts';
import type { PoolRequest, WorkerMessage } from './workerProtocol.ts';

const port = parentPort;
if (!port) throw new Error('server/eval/worker.ts must run in a worker thread');

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function run(taskId: number, play: () => Promise<void>): Promise<void> {
  try {
    await play();
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

function evaluate(taskId: number, task: EvalTask): Promise<void> {
  return runEpisodes({
    task,
    onEpisode: (result) =>
      post({ type: 'episode', taskId, result }, [result.actions.buffer as ArrayBuffer]),
  });
}

function match(taskId: number, task: MatchTask): Promise<void> {
  return runMatchTask(task, (result) =>
    post({ type: 'leg', taskId, result }, [result.controllers.buffer as ArrayBuffer]),
  );
}

port.on('message', (request: PoolRequest) => {
  if (request.type === 'run')
    void run(request.taskId, () => evaluate(request.taskId, request.task));
  else if (request.type === 'match') {
    void run(request.taskId, () => match(request.taskId, request.task));
  }
  // A test hook: lets the crash-handling test kill a worker the way a native fault would.
  else if (request.type === 'crash') process.exit(70);
});
post({ type: 'ready' });
