/**
 * Re-playing a recorded match: a fresh machine with the recorded game settings, reset with the
 * recorded game seed, then both recorded controller bytes pressed on each frame. Used by the
 * replay test, the match page's replay rooms and anyone checking a published result.
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

export interface ReplayedFrame {
  /** The machine just after the frame; valid until the generator resumes. */
  env: NesEnv;
  frame: number;
  terminated: boolean;
  /** Action indices held on controller 1 and controller 2. */
  actions: [number, number];
}

/** Steps through a recorded match, yielding after each emulator frame. */
export function* replayFrames(input: MatchReplayInput): Generator<ReplayedFrame> {
  if (input.controllers.length % 2 !== 0) {
    throw new UserError('a match replay has two controller bytes per frame', 'BAD_REQUEST');
  }
  const env = makeNesEnv({ game: input.game, settings: input.gameSettings });
  try {
    const indexOfMask = new Map<number, number>();
    buttonMasksOf(env.actionSpace.names).forEach((mask, i) => {
      if (!indexOfMask.has(mask)) indexOfMask.set(mask, i);
    });
    const action = (frame: number, byte: number): number => {
      const index = indexOfMask.get(byte);
      if (index === undefined) {
        throw new UserError(
          `replay frame ${frame}: controller byte ${byte} is not in the action set`,
          'BAD_REQUEST',
        );
      }
      return index;
    };
    env.reset({ seed: input.gameSeed });
    const frames = input.controllers.length / 2;
    for (let f = 0; f < frames; f++) {
      const a1 = action(f, input.controllers[2 * f]);
      const a2 = action(f, input.controllers[2 * f + 1]);
      env.setController2(a2);
      const { terminated } = env.step(a1);
      yield { env, frame: f, terminated, actions: [a1, a2] };
    }
  } finally {
    env.close();
  }
}

/** Plays a recorded match to its end and reports the final points. */
export function replayMatch(input: MatchReplayInput): MatchReplayOutcome {
  let scores: [number, number] = [0, 0];
  let terminated = false;
  let frames = 0;
  for (const step of replayFrames(input)) {
    terminated = step.terminated;
    frames = step.frame + 1;
    if (frames === input.controllers.length / 2) {
      scores = [step.env.readScore(), step.env.readOpponentScore()];
    }
  }
  return { scores, frames, terminated };
}
