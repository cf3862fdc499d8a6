/**
 * The environment contract, after Gymnasium's `core.py`: an `Env` with `reset({ seed })` and
 * `step(action)`, and the narrow wrapper bases. Nothing else lives here.
 *
 * Observations are typed arrays owned by the environment: a returned observation stays valid only
 * until the next `step` or `reset` on the same environment (hot paths allocate nothing per step).
 * Copy it (`observation.slice()`) to keep it. Likewise the result and info objects may be reused
 * by the next call: read what you need before stepping again.
 */

/** What every environment reports beside the observation. */
export interface StepInfo {
  /** Lives left, as the game's RAM says (0 for games without lives). */
  lives: number;
  /** Emulator frames since this episode's reset, counting no-op starts and skipped frames. */
  episodeFrame: number;
  /** The game's own score for this episode (not clipped, not scaled). */
  score: number;
  /** The action the emulator actually received on this step's last frame, after sticky actions. */
  executedAction: number;
  /** Extra keys a wrapper or game adds. */
  [key: string]: unknown;
}

export interface ResetOptions {
  /** Seeds the environment's generator (sticky actions, no-op starts, the game's own seed). */
  seed?: number;
}

export interface ResetResult<Obs> {
  observation: Obs;
  info: StepInfo;
}

export interface StepResult<Obs> {
  observation: Obs;
  /** Reward for this step (the change in score); clipping is the agent's business. */
  reward: number;
  /** The episode ended inside the game (game over, or a life lost with terminal-on-life-loss). */
  terminated: boolean;
  /** The episode was cut short from outside the game (frame cap). */
  truncated: boolean;
  info: StepInfo;
}

/** A box of uint8 values with a fixed shape, e.g. [4, 84, 84]. */
export interface BoxSpace {
  kind: 'box';
  shape: readonly number[];
  low: number;
  high: number;
  /** `uint8`: pixel values; `colour-code`: the NES adapter's screen codes (see nes/machine.ts). */
  dtype: 'uint8' | 'colour-code';
}

/** A choice of `n` actions, numbered 0..n-1; names[i] says what action i presses. */
export interface DiscreteSpace {
  kind: 'discrete';
  n: number;
  names: readonly string[];
}

/**
 * An env's full state as plain JSON (see envState.ts for the format): what `getState` returns and
 * `setState` takes back, so a run continues exactly, in this process or another.
 */
export type EnvState = unknown;

export interface Env<Obs = Uint8Array, Act = number> {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  reset(options?: ResetOptions): ResetResult<Obs>;
  step(action: Act): StepResult<Obs>;
  close(): void;
  /**
   * Optional: everything needed to continue exactly from here, JSON-safe. A wrapper includes its
   * inner env's state, so the outermost env's state covers the whole stack. Only checkpoints call
   * it, never the hot path.
   */
  getState?(): EnvState;
  /** Optional: puts back a `getState` result; refuses (UserError) one it cannot use. */
  setState?(state: EnvState): void;
}

/** Passes everything through to the wrapped env; subclasses override what they change. */
export class Wrapper<Obs = Uint8Array, Act = number> implements Env<Obs, Act> {
  constructor(readonly env: Env<Obs, Act>) {}
  get observationSpace(): BoxSpace {
    return this.env.observationSpace;
  }
  get actionSpace(): DiscreteSpace {
    return this.env.actionSpace;
  }
  reset(options?: ResetOptions): ResetResult<Obs> {
    return this.env.reset(options);
  }
  step(action: Act): StepResult<Obs> {
    return this.env.step(action);
  }
  close(): void {
    this.env.close();
  }
}

/** Changes only the observation: override `observation`. */
export abstract class ObservationWrapper<Obs = Uint8Array, Act = number> extends Wrapper<Obs, Act> {
  abstract observation(observation: Obs): Obs;
  override reset(options?: ResetOptions): ResetResult<Obs> {
    const result = this.env.reset(options);
    result.observation = this.observation(result.observation);
    return result;
  }
  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    result.observation = this.observation(result.observation);
    return result;
  }
}

/** Changes only the action: override `action`. */
export abstract class ActionWrapper<Obs = Uint8Array, Act = number> extends Wrapper<Obs, Act> {
  abstract action(action: Act): Act;
  override step(action: Act): StepResult<Obs> {
    return this.env.step(this.action(action));
  }
}

/** Changes only the reward: override `reward`. */
export abstract class RewardWrapper<Obs = Uint8Array, Act = number> extends Wrapper<Obs, Act> {
  abstract reward(reward: number): number;
  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    result.reward = this.reward(result.reward);
    return result;
  }
}

/** The innermost environment under any stack of wrappers. */
export function unwrap(env: Env<unknown, unknown>): Env<unknown, unknown> {
  let current: Env<unknown, unknown> = env;
  while (current instanceof Wrapper || 'env' in current) {
    current = (current as unknown as { env: Env<unknown, unknown> }).env;
  }
  return current;
}
