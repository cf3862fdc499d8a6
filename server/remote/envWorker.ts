/**
 * A worker thread that hosts remote agents' games: many environments, each stepped on request with
 * the action the agent sent. Every answer is the observation ready to send (protocol header and
 * pixels in one transferred buffer), so the HTTP thread only forwards bytes. Environments are built
 * exactly as evaluations build them (`makeRecordedEnv`): the base NES env under the replay
 * recorder under ALE's wrappers with the arena's conditions.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { makeRecordedEnv, type ReplayRecorder } from '../../agents/evaluation/recorder.ts';
import type { Env } from '../../emulators/core.ts';
import type { EnvReport, EnvRequest, EnvWorkerMessage } from './envHost.ts';
import {
  HEADER_BYTES,
  type ObservationFormat,
  pixelBytes,
  writeObservationHeader,
} from './protocol.ts';

const port = parentPort;
if (!port) throw new Error('server/remote/envWorker.ts must run in a worker thread');

interface Hosted {
  env: Env<Uint8Array>;
  recorder: ReplayRecorder;
  format: ObservationFormat;
  step: number;
  lives: number;
}

const hosted = new Map<number, Hosted>();

/**
 * Emulation yields to the HTTP thread: every agent's reply is timed on that thread, so it must not
 * wait behind a game step. On Linux a thread is a task with its own nice value
 * (`/proc/thread-self` names it); elsewhere the worker keeps the process's priority.
 */
function lowerOwnPriority(nice: number): void {
  if (nice <= 0) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // Not Linux, or /proc is not mounted: nothing to do.
  }
}
lowerOwnPriority(Number((workerData as { nice?: number } | null)?.nice ?? 0));

function report(id: number, h: Hosted, observation: Uint8Array, end: EnvReport['end']): EnvReport {
  const bytes = pixelBytes(h.format);
  const frame = new Uint8Array(HEADER_BYTES + bytes);
  // `frame` is the newest plane of the stack (oldest first).
  frame.set(observation.subarray(observation.length - bytes), HEADER_BYTES);
  writeObservationHeader(frame, {
    format: h.format,
    lives: h.lives,
    step: h.step,
    score: h.recorder.score,
  });
  return { id, frame, step: h.step, score: h.recorder.score, frames: h.recorder.frames, end };
}

function handle(request: EnvRequest): EnvReport | null {
  if (request.type === 'open') {
    const { env, recorder } = makeRecordedEnv({
      game: request.game,
      settings: request.settings,
      conditions: request.conditions,
    });
    const reset = env.reset({ seed: request.seed });
    const h: Hosted = { env, recorder, format: request.format, step: 0, lives: reset.info.lives };
    hosted.set(request.id, h);
    return report(request.id, h, reset.observation, null);
  }
  const h = hosted.get(request.id);
  if (!h) {
    if (request.type === 'close') return null;
    throw new Error(`no environment ${request.id}`);
  }
  if (request.type === 'close') {
    h.env.close();
    hosted.delete(request.id);
    return null;
  }
  if (request.type === 'finish') {
    // Forfeit: the episode ends where it stands, with its score and replay so far.
    const answer: EnvReport = {
      id: request.id,
      frame: new Uint8Array(0),
      step: h.step,
      score: h.recorder.score,
      frames: h.recorder.frames,
      end: endOf(h, false),
    };
    h.env.close();
    hosted.delete(request.id);
    return answer;
  }
  const result = h.env.step(request.action);
  h.step++;
  h.lives = result.info.lives;
  const ended = result.terminated || result.truncated;
  const answer = report(
    request.id,
    h,
    result.observation,
    ended ? endOf(h, !result.terminated) : null,
  );
  if (ended) {
    h.env.close();
    hosted.delete(request.id);
  }
  return answer;
}

function endOf(h: Hosted, truncated: boolean): NonNullable<EnvReport['end']> {
  return {
    truncated,
    gameSeed: h.recorder.gameSeed,
    romSha1: h.recorder.base.entry.sha1,
    actions: h.recorder.actions(),
  };
}

port.on('message', (request: EnvRequest) => {
  let message: EnvWorkerMessage | null;
  const transfer: ArrayBuffer[] = [];
  try {
    const answer = handle(request);
    message = answer && { type: 'report', report: answer };
    if (answer) {
      transfer.push(answer.frame.buffer as ArrayBuffer);
      if (answer.end) transfer.push(answer.end.actions.buffer as ArrayBuffer);
    }
  } catch (error) {
    hosted.get(request.id)?.env.close();
    hosted.delete(request.id);
    message = { type: 'error', id: request.id, message: (error as Error).message ?? String(error) };
  }
  if (message) port.postMessage(message, transfer);
});
