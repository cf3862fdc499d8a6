/**
 * Re-playing a recorded episode: a fresh machine reset with the recorded game seed, then the
 * recorded controller byte pressed on each frame. Used by the replay test and anyone checking a
 * published score.
 */
import { buttonMasksOf } from '../../emulators/actions.ts';
import { UserError } from '../../emulators/errors.ts';
import { makeNesEnv } from '../../emulators/index.ts';

export interface ReplayInput {
  game: string;
  /** The game seed the recorded episode's machine was reset with (`settings.gameSeed`). */
  gameSeed: number;
  /** Game settings the episode ran with. */
  gameSettings?: Record<string, string>;
  /** One controller byte per emulator frame. */
  actions: ArrayLike<number>;
}

export interface ReplayOutcome {
  score: number;
  frames: number;
  /** Whether the game reached game over on the last frame. */
  terminated: boolean;
}

export function replayEpisode(input: ReplayInput): ReplayOutcome {
  const env = makeNesEnv({ game: input.game, settings: input.gameSettings });
  const indexOfMask = new Map<number, number>();
  buttonMasksOf(env.actionSpace.names).forEach((mask, i) => {
    if (!indexOfMask.has(mask)) indexOfMask.set(mask, i);
  });
  env.reset({ seed: input.gameSeed });
  let score = 0;
  let terminated = false;
  for (let f = 0; f < input.actions.length; f++) {
    const action = indexOfMask.get(input.actions[f]);
    if (action === undefined) {
      throw new UserError(
        `replay frame ${f}: controller byte ${input.actions[f]} is not in the action set`,
        'BAD_REQUEST',
      );
    }
    const step = env.step(action);
    score = step.info.score;
    terminated = step.terminated;
  }
  env.close();
  return { score, frames: input.actions.length, terminated };
}
