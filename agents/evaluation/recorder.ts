/**
 * Replay recording at the frame level: wraps the base NES environment (under every ALE wrapper)
 * and keeps one controller byte per emulator frame since the last reset, the game seed that
 * reset used, and the sum of the frame rewards. Pressing those bytes on a fresh machine reset with
 * the same game seed reproduces the episode exactly (`replay.ts`), whatever the agent, sticky
 * actions or no-op starts did, because all of that only ever chose controller bytes. The score is
 * the game's own score for the player (RAM, `info.score`), as in the manifest baselines: in Brick
 * the sum of the rewards; in Duel the player's points (the reward there is the point difference).
 */
import { buttonMasksOf } from '../../emulators/actions.ts';
import {
  type Env,
  type ResetOptions,
  type ResetResult,
  type StepResult,
  Wrapper,
} from '../../emulators/core.ts';
import { makeNesEnv } from '../../emulators/index.ts';
import type { NesEnv } from '../../emulators/nes/nesEnv.ts';
import { atariPreprocessing } from '../../emulators/wrappers/index.ts';
import type { EnvConditions } from './conditions.ts';

export class ReplayRecorder extends Wrapper<Uint32Array> {
  private readonly masks: Uint8Array;
  private buffer = new Uint8Array(4096);
  private length = 0;
  /** The game seed the last reset wrote into the game (what `NesEnv.reset` reports). */
  gameSeed = 0;
  /** The game's score for the player after the last step: the episode's score. */
  score = 0;

  constructor(readonly base: NesEnv) {
    super(base);
    this.masks = buttonMasksOf(base.actionSpace.names);
  }

  override reset(options?: ResetOptions): ResetResult<Uint32Array> {
    const result = this.env.reset(options);
    this.gameSeed = Number(result.info.seed ?? 0);
    this.length = 0;
    this.score = result.info.score;
    return result;
  }

  override step(action: number): StepResult<Uint32Array> {
    const result = this.env.step(action);
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = this.masks[action];
    this.score = result.info.score;
    return result;
  }

  /** Emulator frames since the last reset. */
  get frames(): number {
    return this.length;
  }

  /** A copy of the controller bytes since the last reset. */
  actions(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** An arena environment and the recorder under its wrappers. */
export interface RecordedEnv {
  /** ALE's wrappers over the recorder: what agents see and step. */
  env: Env<Uint8Array>;
  recorder: ReplayRecorder;
}

/**
 * Builds a game's environment as every arena episode is played: the base NES env under the
 * replay recorder under ALE's wrappers with the given conditions. Evaluations, remote agents'
 * episodes and replays of them all come from here, so they cannot drift apart.
 */
export function makeRecordedEnv(options: {
  game: string;
  settings?: Record<string, string>;
  conditions: Omit<EnvConditions, 'terminalOnLifeLoss'> & { terminalOnLifeLoss?: boolean };
}): RecordedEnv {
  const base = makeNesEnv({ game: options.game, settings: options.settings });
  const recorder = new ReplayRecorder(base);
  const { stickyActionProbability, noopMax, maxEpisodeFrames, terminalOnLifeLoss } =
    options.conditions;
  const env = atariPreprocessing(recorder, {
    stickyActionProbability,
    noopMax,
    maxEpisodeFrames,
    terminalOnLifeLoss: terminalOnLifeLoss ?? false,
  });
  return { env, recorder };
}
