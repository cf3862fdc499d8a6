/**
 * Evaluation worker thread: runs one task at a time, an evaluation with `runEvalTask` or a match
 * pairing with `runMatchTask`, and posts each finished episode or leg back at once (the
 * controller bytes are transferred, not copied). An exception becomes an `error` message; a
 * crash of the thread itself is handled by the pool.
 */
import {
  MessageChannel,
  type MessagePort,
  parentPort,
  type TransferListItem,
} from 'node:worker_threads';
import { runEvalTask } from '../eval/evalTask.ts';
import type { LiveTaskOptions } from '../eval/executor.ts';
import type { LiveEpisodeRooms } from '../eval/spectate.ts';
import type { EvalTask } from '../eval/task.ts';
import { runMatchTask } from '../matches/runMatch.ts';
import type { MatchTask } from '../matches/task.ts';
import { PortSink } from '../stream/portSink.ts';
import type { PoolRequest, WorkerMessage } from './workerProtocol.ts';

const port = parentPort;
if (!port) throw new Error('server/workers/worker.ts must run in a worker thread');

function post(message: WorkerMessage, transfer: TransferListItem[] = []): void {
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

function evaluate(taskId: number, task: EvalTask, live?: LiveTaskOptions): Promise<void> {
  return runEvalTask({
    task,
    onEpisode: (result) =>
      post({ type: 'episode', taskId, result }, [result.actions.buffer as ArrayBuffer]),
    live: live && liveRooms(taskId, live),
  });
}

/** Each episode's room: a new channel whose far end goes to the main thread's hub. */
function liveRooms(taskId: number, live: LiveTaskOptions): LiveEpisodeRooms {
  return {
    maxFps: live.maxFps,
    open(index) {
      const roomId = `${live.roomPrefix}-${index}`;
      const { port1, port2 } = new MessageChannel();
      const room = {
        ...live.room,
        roomId,
        note: `evaluation · episode ${index + 1} of ${live.episodes}`,
      };
      post({ type: 'liveRoom', taskId, room, port: port2 }, [port2]);
      return { roomId, sink: new PortSink(port1) };
    },
  };
}

function match(
  taskId: number,
  task: MatchTask,
  relays: { index: number; port: MessagePort }[],
): Promise<void> {
  return runMatchTask(
    task,
    (result) => post({ type: 'leg', taskId, result }, [result.controllers.buffer as ArrayBuffer]),
    new Map(relays.map((r) => [r.index, r.port])),
  );
}

port.on('message', (request: PoolRequest) => {
  if (request.type === 'run')
    void run(request.taskId, () => evaluate(request.taskId, request.task, request.live));
  else if (request.type === 'match') {
    void run(request.taskId, () => match(request.taskId, request.task, request.relays));
  }
  // A test hook: lets the crash-handling test kill a worker the way a native fault would.
  else if (request.type === 'crash') process.exit(70);
});
post({ type: 'ready' });
