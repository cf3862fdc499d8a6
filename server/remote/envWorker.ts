/**
 * A worker thread that hosts remote agents' games: many episodes, each played by the arena's
 * episode runner (`agents/evaluation/runEpisodes.ts`), as evaluations are, with a per-episode
 * agent that relays. Its `act` posts the observation to the HTTP thread, ready to send (protocol
 * header and pixels in one transferred buffer, so that thread only forwards bytes), and resolves
 * with the action the HTTP thread sends back in a `step` request; the runner's `onEpisode` posts
 * the final report. A forfeit (`finish`) answers with the episode as it stands while its env is
 * still open, then unwinds the runner, which closes the env; `close` unwinds it without a report.
 * Environments are built exactly as evaluations build them (`makeRecordedEnv`): the base NES env
 * under the replay recorder under ALE's wrappers with the arena's conditions.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { makeRecordedEnv, type ReplayRecorder } from '../../agents/evaluation/recorder.ts';
import { type EpisodeAgent, runEpisodes } from '../../agents/evaluation/runEpisodes.ts';
import type { StepInfo } from '../../emulators/core.ts';
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
  id: number;
  recorder: ReplayRecorder;
  format: ObservationFormat;
  /** Agent steps taken: the step of the observation the agent is asked about. */
  step: number;
  /** Settles the runner's wait for the agent's action; null while the env steps. */
  resolve: ((action: number) => void) | null;
  reject: ((reason: Withdrawn) => void) | null;
  /** `finish` or `close` came: the runner unwinds at its next action. */
  withdrawn: boolean;
}

const hosted = new Map<number, Hosted>();

/** Unwinds a hosted episode's runner after `finish` or `close`: nothing more is reported. */
class Withdrawn extends Error {
  override name = 'Withdrawn';
}

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

function post(message: EnvWorkerMessage): void {
  const transfer: ArrayBuffer[] = [];
  if (message.type === 'report') {
    transfer.push(message.report.frame.buffer as ArrayBuffer);
    if (message.report.end) transfer.push(message.report.end.actions.buffer as ArrayBuffer);
  }
  port!.postMessage(message, transfer);
}

function report(
  h: Hosted,
  observation: Uint8Array,
  lives: number,
  end: EnvReport['end'],
): EnvReport {
  const bytes = pixelBytes(h.format);
  const frame = new Uint8Array(HEADER_BYTES + bytes);
  // `frame` is the newest plane of the stack (oldest first).
  frame.set(observation.subarray(observation.length - bytes), HEADER_BYTES);
  writeObservationHeader(frame, { format: h.format, lives, step: h.step, score: h.recorder.score });
  const { score, frames } = h.recorder;
  return { id: h.id, frame, step: h.step, score, frames, end };
}

function endOf(h: Hosted, truncated: boolean): NonNullable<EnvReport['end']> {
  return {
    truncated,
    gameSeed: h.recorder.gameSeed,
    romSha1: h.recorder.base.entry.sha1,
    actions: h.recorder.actions(),
  };
}

/** The hosted episode's agent: asks the HTTP thread, which asks the remote agent. */
function relay(h: Hosted): EpisodeAgent {
  const wait = (resolve: (action: number) => void, reject: (reason: Withdrawn) => void) => {
    h.resolve = resolve;
    h.reject = reject;
  };
  return {
    act(observation: Uint8Array, info: StepInfo): Promise<number> {
      if (h.withdrawn) return Promise.reject(new Withdrawn());
      post({ type: 'report', report: report(h, observation, info.lives, null) });
      return new Promise<number>(wait);
    },
  };
}

/** Ends the episode's play: a runner waiting on an action unwinds now, one stepping at its next. */
function withdraw(h: Hosted): void {
  hosted.delete(h.id);
  h.withdrawn = true;
  const reject = h.reject;
  h.resolve = null;
  h.reject = null;
  reject?.(new Withdrawn());
}

function open(request: Extract<EnvRequest, { type: 'open' }>): void {
  const { env, recorder } = makeRecordedEnv({
    game: request.game,
    settings: request.settings,
    conditions: request.conditions,
  });
  const h: Hosted = {
    id: request.id,
    recorder,
    format: request.format,
    step: 0,
    resolve: null,
    reject: null,
    withdrawn: false,
  };
  hosted.set(h.id, h);
  // The first action asked for answers `open`; each later one answers the `step` before it.
  runEpisodes({
    plans: [{ index: 0, seed: request.seed }],
    makeEnv: () => env,
    policy: { kind: 'perEpisode', make: () => relay(h) },
    onEpisode: (episode) => {
      hosted.delete(h.id);
      const end = endOf(h, episode.truncated);
      post({ type: 'report', report: report(h, episode.observation, episode.info.lives, end) });
    },
  }).catch((error: unknown) => {
    if (error instanceof Withdrawn) return;
    hosted.delete(h.id);
    post({ type: 'error', id: h.id, message: (error as Error).message ?? String(error) });
  });
}

function handle(request: EnvRequest): void {
  if (request.type === 'open') {
    open(request);
    return;
  }
  const h = hosted.get(request.id);
  if (!h) {
    if (request.type === 'close') return;
    throw new Error(`no environment ${request.id}`);
  }
  if (request.type === 'close') {
    withdraw(h);
    return;
  }
  if (request.type === 'finish') {
    // Forfeit: the episode ends where it stands, with its score and replay so far.
    const { score, frames } = h.recorder;
    const end = endOf(h, false);
    post({
      type: 'report',
      report: { id: h.id, frame: new Uint8Array(0), step: h.step, score, frames, end },
    });
    withdraw(h);
    return;
  }
  const resolve = h.resolve;
  if (!resolve) throw new Error(`environment ${request.id} is not waiting for an action`);
  h.resolve = null;
  h.reject = null;
  h.step++;
  // The runner steps the env and asks for the next action (or reports the end) at once.
  resolve(request.action);
}

port.on('message', (request: EnvRequest) => {
  try {
    handle(request);
  } catch (error) {
    const h = hosted.get(request.id);
    if (h) withdraw(h);
    post({ type: 'error', id: request.id, message: (error as Error).message ?? String(error) });
  }
});
