/**
 * Re-playing a recorded match: a fresh machine with the recorded game settings, reset with the
 * recorded game seed, then both recorded controller bytes pressed on each frame. Used by the
 * replay test, the match page's replay room and anyone checking a published result.
 */
import { buttonMasksOf } from '../../emulators/actions.ts';
import { UserError } from '../../emulators/errors.ts';
import { makeNesEnv } from '../../emulators/index.ts';
import type { NesEnv } from '../../emulators/nes/nesEnv.ts';

export interface MatchReplayInput {
  game: string;
  gameSeed: number;
  gameSettings: Record<string, string>;
  /** Two bytes per frame: controller 1, controller 2. */
  controllers: ArrayLike<number>;
}

export interface MatchReplayOutcome {
  /** Points of controller 1 and controller 2 at the end. */
  scores: [number, number];
  frames: number;
  /** Whether the game was over (a player at 21) on the last frame. */
  terminated: boolean;
}

/** Steps through a recorded match frame by frame; `onFrame` sees the machine after each. */
export function replayMatch(
  input: MatchReplayInput,
  onFrame?: (env: NesEnv, frame: number) => void,
): MatchReplayOutcome {
  if (input.controllers.length % 2 !== 0) {
    throw new UserError('a match replay has two controller bytes per frame', 'INVALID');
  }
  const env = makeNesEnv({ game: input.game, settings: input.gameSettings });
  const indexOfMask = new Map<number, number>();
  buttonMasksOf(env.actionSpace.names).forEach((mask, i) => {
    if (!indexOfMask.has(mask)) indexOfMask.set(mask, i);
  });
  const action = (frame: number, byte: number): number => {
    const index = indexOfMask.get(byte);
    if (index === undefined) {
      throw new UserError(
        `replay frame ${frame}: controller byte ${byte} is not in the action set`,
        'INVALID',
      );
    }
    return index;
  };
  env.reset({ seed: input.gameSeed });
  let terminated = false;
  const frames = input.controllers.length / 2;
  for (let f = 0; f < frames; f++) {
    env.setController2(action(f, input.controllers[2 * f + 1]));
    terminated = env.step(action(f, input.controllers[2 * f])).terminated;
    onFrame?.(env, f);
  }
  const scores: [number, number] = [env.readScore(), env.readOpponentScore()];
  env.close();
  return { scores, frames, terminated };
}
