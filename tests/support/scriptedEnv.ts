/**
 * A scriptable environment for wrapper tests (no ROM): its observation is a frame filled with the
 * step number, it records every action it receives, and rewards, lives and episode ends follow
 * the script. `ScriptedScreenEnv` is the same with packed NES-style screens for the
 * frame-level wrappers.
 */
import type {
  BoxSpace,
  DiscreteSpace,
  Env,
  ResetOptions,
  ResetResult,
  StepInfo,
  StepResult,
} from '../../emulators/core.ts';

export interface Script {
  /** Steps until the episode terminates (default: never). */
  episodeLength?: number;
  /** Reward for the step that brings the count to `step` (default 1). */
  reward?: (step: number) => number;
  /** Lives after `step` steps (default 3 throughout). */
  lives?: (step: number) => number;
  /** Frames per step, added to info.episodeFrame (default 1). */
  framesPerStep?: number;
  actions?: string[];
}

abstract class ScriptedBase<Obs> implements Env<Obs> {
  readonly actionSpace: DiscreteSpace;
  abstract readonly observationSpace: BoxSpace;
  readonly received: number[] = [];
  resets = 0;
  lastSeed: number | undefined;
  steps = 0;
  score = 0;

  constructor(readonly script: Script = {}) {
    const names = script.actions ?? ['NOOP', 'FIRE', 'LEFT', 'RIGHT'];
    this.actionSpace = { kind: 'discrete', n: names.length, names };
  }

  protected abstract render(): Obs;

  private info(action: number): StepInfo {
    return {
      lives: this.script.lives?.(this.steps) ?? 3,
      episodeFrame: this.steps * (this.script.framesPerStep ?? 1),
      score: this.score,
      executedAction: action,
    };
  }

  reset(options?: ResetOptions): ResetResult<Obs> {
    this.resets++;
    this.lastSeed = options?.seed;
    this.steps = 0;
    this.score = 0;
    return { observation: this.render(), info: this.info(0) };
  }

  step(action: number): StepResult<Obs> {
    this.received.push(action);
    this.steps++;
    const reward = this.script.reward?.(this.steps) ?? 1;
    this.score += reward;
    const terminated =
      this.script.episodeLength !== undefined && this.steps >= this.script.episodeLength;
    return {
      observation: this.render(),
      reward,
      terminated,
      truncated: false,
      info: this.info(action),
    };
  }

  close(): void {}

  /** The script position (what `received` and `resets` record is the test's, not the env's). */
  getState(): { steps: number; score: number } {
    return { steps: this.steps, score: this.score };
  }

  setState(state: unknown): void {
    const { steps, score } = state as { steps: number; score: number };
    this.steps = steps;
    this.score = score;
  }
}

/** Observation: a [2, 3] uint8 frame filled with the step count. */
export class ScriptedEnv extends ScriptedBase<Uint8Array> {
  readonly observationSpace: BoxSpace = {
    kind: 'box',
    shape: [2, 3],
    low: 0,
    high: 255,
    dtype: 'uint8',
  };
  protected render(): Uint8Array {
    return new Uint8Array(6).fill(this.steps & 0xff);
  }
}

/** Observation: a packed 256x240 screen (gray << 16 | code) drawn by `draw(step, x, y) -> gray`. */
export class ScriptedScreenEnv extends ScriptedBase<Uint32Array> {
  readonly observationSpace: BoxSpace = {
    kind: 'box',
    shape: [240, 256],
    low: 0,
    high: 0xffffff,
    dtype: 'colour-code',
  };
  private readonly screen = new Uint32Array(256 * 240);
  constructor(
    script: Script,
    readonly draw: (step: number, x: number, y: number) => number,
  ) {
    super(script);
  }
  protected render(): Uint32Array {
    for (let y = 0; y < 240; y++) {
      for (let x = 0; x < 256; x++) {
        const gray = this.draw(this.steps, x, y) & 0xff;
        this.screen[y * 256 + x] = (gray << 16) | (1 + (gray >> 2));
      }
    }
    return this.screen;
  }
}
