/**
 * Recording what an env does, for exact-resume tests: `play` runs a script of actions (and
 * resets) and records every observation, reward, flag and info by value, so two plays compare
 * with one `toEqual`.
 */
import type { Env } from '../../emulators/core.ts';

/** An action, or `'reset'` for a reset without a seed. */
export type Move = number | 'reset';

export interface TraceEntry {
  move: Move;
  /** The observation as base64 (compact to compare and to print). */
  observation: string;
  reward?: number;
  terminated?: boolean;
  truncated?: boolean;
  info: Record<string, unknown>;
}

function bytesOf(observation: unknown): string {
  const view = observation as ArrayBufferView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

/**
 * Plays `moves` on `env`. With `autoreset`, an episode that ends is reset at once (as the vector
 * envs do) and the reset is recorded as its own entry.
 */
export function play(env: Env<unknown>, moves: readonly Move[], autoreset = true): TraceEntry[] {
  const trace: TraceEntry[] = [];
  const reset = () => {
    const r = env.reset();
    trace.push({ move: 'reset', observation: bytesOf(r.observation), info: { ...r.info } });
  };
  for (const move of moves) {
    if (move === 'reset') {
      reset();
      continue;
    }
    const r = env.step(move);
    const { reward, terminated, truncated } = r;
    const observation = bytesOf(r.observation);
    trace.push({ move, observation, reward, terminated, truncated, info: { ...r.info } });
    if (autoreset && (terminated || truncated)) reset();
  }
  return trace;
}

/** `count` actions in 0..n-1 from a fixed linear congruential sequence (no Math.random). */
export function actionScript(count: number, n: number, seed = 1): number[] {
  let x = seed >>> 0;
  return Array.from({ length: count }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return (x >>> 16) % n;
  });
}

/**
 * Saves `env`'s state (through JSON, as a checkpoint would), plays `tail`, then restores the state
 * into `env` after it has wandered on, and into `fresh` (a newly built env, never reset): all
 * three plays of `tail` are returned, the first being the reference.
 */
export function resumeThreeWays(
  env: Env<unknown>,
  fresh: Env<unknown>,
  tail: readonly Move[],
  wander: readonly Move[] = tail,
): { reference: TraceEntry[]; again: TraceEntry[]; fresh: TraceEntry[]; stateBytes: number } {
  if (!env.getState || !env.setState || !fresh.setState) throw new Error('env is not resumable');
  const text = JSON.stringify(env.getState());
  const reference = play(env, tail);
  play(env, wander);
  env.setState(JSON.parse(text));
  const again = play(env, tail);
  fresh.setState(JSON.parse(text));
  return { reference, again, fresh: play(fresh, tail), stateBytes: text.length };
}
