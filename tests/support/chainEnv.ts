/**
 * A tiny deterministic problem for DQN tests: a chain of `length` cells drawn into 84x84 frames.
 * The agent starts in cell `start`; action 0 moves left, action 1 right (further actions do
 * nothing). The left end pays `leftReward` and ends the episode, the right end pays 1 and ends it;
 * `maxSteps` truncates. The greedy optimum from the start is "always right" as long as
 * gamma^(steps to the right end) > leftReward. Observations are [4, 84, 84] stacks like the NES envs'.
 */
import type {
  BoxSpace,
  DiscreteSpace,
  Env,
  ResetResult,
  StepInfo,
  StepResult,
} from '../../emulators/core.ts';

export interface ChainOptions {
  length?: number;
  start?: number;
  leftReward?: number;
  maxSteps?: number;
  numActions?: number;
}

export interface ChainState {
  cell: number;
  steps: number;
  score: number;
  stack: number[];
}

const SIDE = 84;
const FRAME = SIDE * SIDE;

export class ChainEnv implements Env {
  readonly observationSpace: BoxSpace = {
    kind: 'box',
    shape: [4, SIDE, SIDE],
    low: 0,
    high: 255,
    dtype: 'uint8',
  };
  readonly actionSpace: DiscreteSpace;
  readonly length: number;
  private readonly start: number;
  private readonly leftReward: number;
  private readonly maxSteps: number;
  private cell = 0;
  private steps = 0;
  private score = 0;
  /** Cells shown in the stack, oldest first. */
  private stack = [0, 0, 0, 0];
  private readonly observation = new Uint8Array(4 * FRAME);
  closed = false;

  constructor(options: ChainOptions = {}) {
    this.length = options.length ?? 6;
    this.start = options.start ?? 1;
    this.leftReward = options.leftReward ?? 0.1;
    this.maxSteps = options.maxSteps ?? 50;
    const n = options.numActions ?? 2;
    this.actionSpace = {
      kind: 'discrete',
      n,
      names: ['LEFT', 'RIGHT', 'NOOP', 'FIRE'].slice(0, n),
    };
  }

  reset(): ResetResult<Uint8Array> {
    this.cell = this.start;
    this.steps = 0;
    this.score = 0;
    this.stack = [this.cell, this.cell, this.cell, this.cell];
    return { observation: this.render(), info: this.info(0) };
  }

  step(action: number): StepResult<Uint8Array> {
    if (action === 0) this.cell--;
    else if (action === 1) this.cell++;
    this.steps++;
    let reward = 0;
    let terminated = false;
    if (this.cell <= 0) {
      reward = this.leftReward;
      terminated = true;
    } else if (this.cell >= this.length - 1) {
      reward = 1;
      terminated = true;
    }
    this.score += reward;
    this.stack = [...this.stack.slice(1), this.cell];
    const truncated = !terminated && this.steps >= this.maxSteps;
    return { observation: this.render(), reward, terminated, truncated, info: this.info(action) };
  }

  close(): void {
    this.closed = true;
  }

  getState(): ChainState {
    return { cell: this.cell, steps: this.steps, score: this.score, stack: [...this.stack] };
  }

  setState(state: ChainState): void {
    this.cell = state.cell;
    this.steps = state.steps;
    this.score = state.score;
    this.stack = [...state.stack];
  }

  /** Draws each stacked cell as a bright vertical band at its position. */
  private render(): Uint8Array {
    const o = this.observation;
    o.fill(0);
    const band = Math.floor(SIDE / this.length);
    this.stack.forEach((cell, f) => {
      for (let y = 0; y < SIDE; y++) {
        const row = f * FRAME + y * SIDE;
        o.fill(255, row + cell * band, row + (cell + 1) * band);
      }
    });
    return o;
  }

  private info(action: number): StepInfo {
    return { lives: 0, episodeFrame: this.steps * 4, score: this.score, executedAction: action };
  }
}
