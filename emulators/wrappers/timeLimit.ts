/**
 * Truncates an episode once it has run `maxFrames` emulator frames (Machado et al. 2018: 108,000
 * frames, 30 minutes of play), read from `info.episodeFrame`.
 */
import { type Env, type EnvState, type StepResult, Wrapper } from '../core.ts';
import { restoreState, stateOf } from '../envState.ts';
import { UserError } from '../errors.ts';

export class TimeLimit<Obs> extends Wrapper<Obs> {
  constructor(
    env: Env<Obs>,
    readonly maxFrames = 108_000,
  ) {
    super(env);
    if (!Number.isInteger(maxFrames) || maxFrames < 1)
      throw new UserError(`maxFrames must be an integer >= 1, got ${maxFrames}`);
  }

  override step(action: number): StepResult<Obs> {
    const result = this.env.step(action);
    if (!result.terminated && result.info.episodeFrame >= this.maxFrames) result.truncated = true;
    return result;
  }

  /** Nothing of its own (it reads `info.episodeFrame`): the inner env's state as is. */
  getState(): EnvState {
    return stateOf(this.env);
  }

  setState(state: EnvState): void {
    restoreState(this.env, state);
  }
}
