/**
 * Screens of a game under random play, as NES palette indices: real frames for codec tests and
 * streaming benchmarks. Frame-level (no ALE wrappers): a random action is held for `actionEvery`
 * frames, as an agent with frame skip 4 would; the game restarts when it ends.
 */
import { RandomAgent } from '../../agents/randomAgent.ts';
import { makeNesEnv } from '../../emulators/index.ts';
import { SCREEN_PIXELS } from '../../emulators/nes/machine.ts';

export interface RecordOptions {
  /** Manifest id, e.g. `brick`. */
  game: string;
  /** Frames to record. */
  frames: number;
  seed?: number;
  /** Frames each random action is held (default 4). */
  actionEvery?: number;
}

export function recordRandomPlay(options: RecordOptions): Uint8Array[] {
  const env = makeNesEnv({ game: options.game });
  const agent = new RandomAgent(env.actionSpace.n, options.seed ?? 0);
  const every = options.actionEvery ?? 4;
  const noObservation = new Uint8Array(0);
  env.reset({ seed: options.seed ?? 0 });
  const out: Uint8Array[] = [];
  let action = 0;
  for (let i = 0; i < options.frames; i++) {
    if (i % every === 0) action = agent.act(noObservation);
    const result = env.step(action);
    out.push(env.machine.screenPaletteIndices(new Uint8Array(SCREEN_PIXELS)));
    if (result.terminated) env.reset({ seed: (options.seed ?? 0) + i });
  }
  return out;
}
