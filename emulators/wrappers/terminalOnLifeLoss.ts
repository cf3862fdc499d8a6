/**
 * Ends the training episode when a life is lost, without resetting the game: the next `reset`
 * continues from where play stopped, unless the game itself is over (the trick of the DQN papers
 * for training; never used for evaluation).
 */
import { z } from 'zod';
import { type ResetOptions, type ResetResult, type StepResult, Wrapper } from '../core.ts';
import {
  copyInfo,
  infoSchema,
  packArray,
  packedArraySchema,
  parseLayerState,
  restoreState,
  stateOf,
  unpackArray,
} from '../envState.ts';

const stateSchema = z
  .object({
    layer: z.literal('terminal-on-life-loss'),
    lives: z.number(),
    gameOver: z.boolean(),
    /** What the next `reset` returns when it continues the game (null: it resets the game). */
    last: z.object({ observation: packedArraySchema, info: infoSchema }).strict().nullable(),
    inner: z.unknown(),
  })
  .strict();

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
      // A second reset before any step continues from here, not from before this reset.
      this.lastObservation = result.observation;
      this.lastInfo = result.info;
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

  /**
   * The last observation and info are saved by value only when the next reset would return them
   * (no game over): the inner env overwrites its own buffers on its next step or reset, and this
   * wrapper takes the new ones then, so a copy is exact until that moment.
   */
  getState(): z.infer<typeof stateSchema> {
    const resumes = !this.gameOver && this.lastObservation !== undefined && this.lastInfo;
    return {
      layer: 'terminal-on-life-loss',
      lives: this.lives,
      gameOver: this.gameOver,
      last:
        resumes && this.lastInfo
          ? {
              observation: packArray(this.lastObservation, 'terminal-on-life-loss observation'),
              info: copyInfo(this.lastInfo, 'terminal-on-life-loss'),
            }
          : null,
      inner: stateOf(this.env),
    };
  }

  setState(state: unknown): void {
    const saved = parseLayerState(stateSchema, state, 'terminal-on-life-loss');
    const observation = saved.last
      ? unpackArray(saved.last.observation, 'terminal-on-life-loss observation')
      : undefined;
    restoreState(this.env, saved.inner);
    this.lives = saved.lives;
    this.gameOver = saved.gameOver;
    this.lastObservation = observation as Obs | undefined;
    this.lastInfo = saved.last ? { ...saved.last.info } : undefined;
  }
}
