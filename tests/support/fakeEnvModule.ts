/**
 * A deterministic env module for vector-env tests: `createEnv(options)` as the real env modules
 * export it, so it can be loaded by path inside worker threads. The observation renders the
 * env's whole state, so any divergence between two runs shows up in the pixels. Episodes end
 * after a seeded number of steps, alternately as terminated and as truncated.
 */
import type {
  BoxSpace,
  DiscreteSpace,
  Env,
  ResetOptions,
  StepInfo,
  StepResult,
} from '../../emulators/core.ts';
import { UserError } from '../../emulators/errors.ts';
import { Rng } from '../../emulators/rng.ts';

export interface FakeEnvOptions {
  /** Observation shape; default [2, 3, 5]. */
  shape?: number[];
  /** Number of actions; default 4. */
  numActions?: number;
  /** Episode lengths are drawn uniformly from [minLength, maxLength]; default 3..9. */
  minLength?: number;
  maxLength?: number;
  /** Throw from `createEnv`: a plain Error, or with 'user' a `UserError` (code `FAKE_BAD`). */
  failCreate?: boolean | 'user';
  /** Throw from `step` once this env has taken this many steps in total. */
  failAtStep?: number;
  /** Call `process.exit(code)` from `step` once this many steps were taken (worker tests only). */
  exitAtStep?: number;
  /** Busy-work per step, in loop iterations, to make stepping cost something measurable. */
  workPerStep?: number;
}

export class FakeEnv implements Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  private readonly rng = new Rng(0);
  private readonly obs: Uint8Array;
  private readonly info: StepInfo = { lives: 0, episodeFrame: 0, score: 0, executedAction: 0 };
  private readonly result: StepResult<Uint8Array>;
  private length = 0;
  private t = 0;
  private tint = 0;
  private totalSteps = 0;
  private episodes = 0;
  sink = 0;

  constructor(private readonly options: FakeEnvOptions = {}) {
    const message = 'FakeEnv: asked to fail in createEnv';
    if (options.failCreate === 'user') throw new UserError(message, 'FAKE_BAD');
    if (options.failCreate) throw new Error(message);
    const shape = options.shape ?? [2, 3, 5];
    const n = options.numActions ?? 4;
    this.observationSpace = { kind: 'box', shape, low: 0, high: 255, dtype: 'uint8' };
    this.actionSpace = { kind: 'discrete', n, names: Array.from({ length: n }, (_, i) => `A${i}`) };
    this.obs = new Uint8Array(shape.reduce((a, b) => a * b, 1));
    this.result = {
      observation: this.obs,
      reward: 0,
      terminated: false,
      truncated: false,
      info: this.info,
    };
  }

  reset(options: ResetOptions = {}) {
    if (options.seed !== undefined) this.rng.seed(options.seed);
    const min = this.options.minLength ?? 3;
    const max = this.options.maxLength ?? 9;
    this.length = min + this.rng.int(max - min + 1);
    this.tint = this.rng.int(256);
    this.t = 0;
    this.episodes++;
    this.info.score = 0;
    this.info.lives = 3;
    this.info.episodeFrame = 0;
    this.info.executedAction = 0;
    this.render(0);
    return { observation: this.obs, info: this.info };
  }

  step(action: number): StepResult<Uint8Array> {
    this.totalSteps++;
    if (this.totalSteps === this.options.failAtStep)
      throw new Error('FakeEnv: asked to fail in step');
    if (this.totalSteps === this.options.exitAtStep) process.exit(7);
    for (let i = 0; i < (this.options.workPerStep ?? 0); i++) this.sink = (this.sink * 31 + i) | 0;
    this.t++;
    const reward = action + this.rng.int(3) - 1;
    this.info.score += reward;
    this.info.episodeFrame = this.t * 4;
    this.info.executedAction = action;
    if (this.t % 4 === 0) this.info.lives--;
    this.render(action);
    const over = this.t >= this.length;
    this.result.reward = reward;
    this.result.terminated = over && this.episodes % 2 === 1;
    this.result.truncated = over && this.episodes % 2 === 0;
    return this.result;
  }

  close(): void {}

  private render(action: number): void {
    const o = this.obs;
    for (let j = 0; j < o.length; j++) {
      o[j] =
        (this.tint + this.t * 17 + action * 5 + this.info.score * 3 + j + this.episodes * 11) & 255;
    }
  }
}

export function createEnv(options: unknown): Env {
  return new FakeEnv((options ?? {}) as FakeEnvOptions);
}
