/**
 * Ends the training episode when a life is lost, without resetting the game: the next `reset`
 * continues from where play stopped, unless the game itself is over (the trick of the DQN papers
 * for training; never used for evaluation).
 */
import { type ResetOptions, type ResetResult, type StepResult, Wrapper } from '../core.ts';

export class TerminalOnLifeLoss<Obs> extends Wrapper<Obs> {
  private lives = 0;
  private gameOver = true;
  private lastObservation: Obs | undefined;
  private lastInfo: ResetResult<Obs>['info'] | undefined;

  override reset(options?: ResetOptions): ResetResult<Obs> {
    if (
      this.gameOver ||
      options?.seed !== undefined ||
      this.lastObservation === undefined ||
      !this.lastInfo
    ) {
      const result = this.env.reset(options);
      this.lives = result.info.lives;
      this.gameOver = false;
      return result;
    }
    return { observation: this.lastObservation, info: this.lastInfo };
  }

  override step(action: number): StepResult<Obs> {
    const result = this.env.step(action);
    this.gameOver = result.terminated || result.truncated;
    const lives = result.info.lives;
    if (lives < this.lives && lives >= 0) result.terminated = true;
    this.lives = lives;
    this.lastObservation = result.observation;
    this.lastInfo = result.info;
    return result;
  }
}
