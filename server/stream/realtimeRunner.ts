/**
 * Plays one episode (or Duel match against the game's own opponent) in real time for spectators:
 * one NES frame every 1/60 s (times `speed`), the agent deciding every `frameSkip` frames on ALE's
 * observations, every frame published to a `FrameSink` (a live room).
 *
 * Timing: frame k of the run is due at `start + k * period` on a monotonic clock, so timer
 * lateness never accumulates. Frames are never dropped; if the process falls more than
 * `maxLagMs` behind (a stall), the schedule restarts from now instead of rushing to catch up.
 * Each agent step's frames are emulated together when the first of them is due and published one
 * by one at their own times, so spectators see them up to frameSkip-1 frames late.
 */
import type { Agent } from '../../agents/agent.ts';
import { type StepInfo, Wrapper } from '../../emulators/core.ts';
import type { NesEnv } from '../../emulators/nes/nesEnv.ts';
import { type AtariOptions, atariPreprocessing } from '../../emulators/wrappers/index.ts';
import type { EndReason, PlayerScore } from '../protocol/stream.ts';
import type { FrameSink, LiveFrame } from './liveRoom.ts';

export const NES_FPS = 60;

/** Milliseconds on a monotonic clock, and a way to wait until a time on it. */
export interface Clock {
  now(): number;
  /** Resolves at or after `time`; always yields to the event loop, even when `time` has passed. */
  sleepUntil(time: number): Promise<void>;
}

export const monotonicClock: Clock = {
  now: () => performance.now(),
  sleepUntil: (time) => {
    const delay = time - performance.now();
    return new Promise((resolve) => {
      if (delay <= 0) setImmediate(resolve);
      else setTimeout(resolve, delay);
    });
  },
};

export interface RealtimeRunOptions {
  /** The frame-level environment; its ALE wrappers are built here so every frame is seen. */
  env: NesEnv;
  agent: Agent;
  sink: FrameSink;
  /** ALE options for the agent's observations (defaults: `atariPreprocessing`'s). */
  atari?: AtariOptions;
  /** Episode seed (game seed, sticky actions, no-op starts). */
  seed?: number;
  /** Emulation speed: 1 = real time (60 NES frames a second), 2 = twice as fast. */
  speed?: number;
  /** Most frames a second published (default 60): at speed > 1 frames are published in strides. */
  maxPublishFps?: number;
  /** Stop after this many NES frames (reason `truncated`; checked between agent steps). */
  maxFrames?: number;
  /** Aborting stops the run at the next frame (reason `stopped`), as does the sink ending. */
  signal?: AbortSignal;
  /** Name of player 2 in a match (Duel's built-in opponent); frames then carry both scores. */
  opponentName?: string;
  /** End the sink with the result (default true); false leaves it to the caller. */
  endSink?: boolean;
  /** A stall longer than this restarts the schedule (default 250 ms). */
  maxLagMs?: number;
  clock?: Clock;
}

export interface RealtimeResult {
  reason: EndReason;
  /** Player 1's final score, and player 2's (0 outside matches). */
  score: number;
  opponentScore: number;
  /** NES frames played (after the reset) and agent steps taken. */
  frames: number;
  steps: number;
  published: number;
  /** Times the schedule restarted because the process fell more than `maxLagMs` behind. */
  scheduleResets: number;
  /** Wall-clock milliseconds from the first frame to the last. */
  elapsedMs: number;
}

interface Pending extends LiveFrame {
  /** Index of this NES frame in the run: its due time is start + index * period. */
  index: number;
}

/** Calls `onFrame` after every frame-level step, before any wrapper sees the result. */
class FrameTap extends Wrapper<Uint32Array> {
  constructor(
    env: NesEnv,
    private readonly onFrame: (info: StepInfo) => void,
  ) {
    super(env);
  }
  override step(action: number) {
    const result = this.env.step(action);
    this.onFrame(result.info);
    return result;
  }
}

export async function runRealtime(options: RealtimeRunOptions): Promise<RealtimeResult> {
  const { env, agent, sink } = options;
  const speed = options.speed ?? 1;
  const maxPublishFps = options.maxPublishFps ?? NES_FPS;
  if (!(speed > 0) || !Number.isFinite(speed)) {
    throw new RangeError(`speed must be a positive number, got ${speed}`);
  }
  if (!(maxPublishFps > 0)) throw new RangeError(`maxPublishFps must be positive`);
  const clock = options.clock ?? monotonicClock;
  const period = 1000 / (NES_FPS * speed);
  const stride = Math.max(1, Math.ceil((NES_FPS * speed) / maxPublishFps));
  const maxLagMs = options.maxLagMs ?? 250;
  const maxFrames = options.maxFrames ?? Number.POSITIVE_INFINITY;
  const names = env.actionSpace.names;
  const machine = env.machine;

  const queue: Pending[] = [];
  const pool: Uint8Array[] = [];
  let capturing = false;
  let frames = 0;
  let steps = 0;
  let qValues: Float32Array | undefined;
  const players = (): PlayerScore[] | undefined =>
    options.opponentName === undefined
      ? undefined
      : [
          { name: agent.name, score: env.readScore() },
          { name: options.opponentName, score: env.readOpponentScore() },
        ];

  const tap = new FrameTap(env, (base) => {
    if (!capturing) return;
    const index = frames++;
    if (index % stride !== 0) return;
    queue.push({
      index,
      pixels: machine.screenPaletteIndices(pool.pop()),
      step: steps,
      episodeFrame: base.episodeFrame,
      score: base.score,
      lives: base.lives,
      action: names[base.executedAction] ?? String(base.executedAction),
      qValues,
      players: players(),
    });
  });
  const game = atariPreprocessing(tap, options.atari);
  let { observation, info: stepInfo } = game.reset({ seed: options.seed });
  capturing = true;

  let reason: EndReason | undefined;
  let published = 0;
  let scheduleResets = 0;
  let start = clock.now();
  const firstFrameAt = start;
  let lastFrameAt = start;
  try {
    for (;;) {
      if (queue.length === 0) {
        if (reason) break;
        if (options.signal?.aborted) {
          reason = 'stopped';
          break;
        }
        if (frames >= maxFrames) {
          reason = 'truncated';
          break;
        }
        const action = agent.act(observation, stepInfo);
        // Copied: the frames of this step are published later, and an agent may reuse its array.
        qValues =
          agent.qValues && sink.viewerCount > 0
            ? Float32Array.from(agent.qValues(observation))
            : undefined;
        steps++;
        const result = game.step(action);
        observation = result.observation;
        stepInfo = result.info;
        if (result.terminated) reason = 'terminated';
        else if (result.truncated) reason = 'truncated';
        if (queue.length === 0) continue; // a stride skipped every frame of this step
      }
      const frame = queue.shift()!;
      let due = start + frame.index * period;
      if (clock.now() - due > maxLagMs) {
        start = clock.now() - frame.index * period;
        due = start + frame.index * period;
        scheduleResets++;
      }
      await clock.sleepUntil(due);
      if (options.signal?.aborted || sink.isEnded) {
        reason = 'stopped';
        break;
      }
      sink.publish(frame);
      lastFrameAt = clock.now();
      published++;
      pool.push(frame.pixels);
    }
  } catch (error) {
    if (options.endSink !== false) {
      sink.end({ reason: 'error', score: env.readScore(), frames, players: players() });
    }
    throw error;
  }
  const result: RealtimeResult = {
    reason: reason ?? 'stopped',
    score: env.readScore(),
    opponentScore: env.readOpponentScore(),
    frames,
    steps,
    published,
    scheduleResets,
    elapsedMs: lastFrameAt - firstFrameAt,
  };
  if (options.endSink !== false) {
    sink.end({ reason: result.reason, score: result.score, frames, players: players() });
  }
  return result;
}
