/** What the scripted agents share: reading RAM values and wrapping a policy as an `Agent`. */
import type { Agent } from '../agent.ts';
import type { BuiltinAgentContext } from '../builtin.ts';

/** A signed 8.8 fixed-point value from its high and low bytes (pixels per frame). */
export function signed88(hi: number, lo: number): number {
  const raw = (hi << 8) | lo;
  return (raw >= 0x8000 ? raw - 0x10000 : raw) / 256;
}

/** Where a ball at `position` moving `velocity` a frame will be after `frames`, bouncing between `low` and `high`. */
export function foldBetweenWalls(
  position: number,
  velocity: number,
  frames: number,
  low: number,
  high: number,
): number {
  const span = high - low;
  let t = (position - low + velocity * frames) % (2 * span);
  if (t < 0) t += 2 * span;
  return low + (t > span ? 2 * span - t : t);
}

/** The index of each named action in the environment's action set; a clear error if one is missing. */
export function actionIndices<const N extends string>(
  context: BuiltinAgentContext,
  agent: string,
  names: readonly N[],
): Record<N, number> {
  const out = {} as Record<N, number>;
  for (const name of names) {
    const i = context.actions.indexOf(name);
    if (i < 0) throw new Error(`the ${agent} agent needs action ${name}`);
    out[name] = i;
  }
  return out;
}

/** Wraps a RAM-reading policy (it ignores observations) as an `Agent`. */
export function ramAgent(context: BuiltinAgentContext, choose: () => number): Agent {
  return {
    name: 'scripted',
    numActions: context.actions.length,
    act: () => choose(),
    actBatch(_observations, count, out) {
      for (let i = 0; i < count; i++) out[i] = choose();
    },
  };
}
