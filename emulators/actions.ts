/**
 * Action sets: named combinations of NES buttons. A name is a run of tokens, `NOOP` alone or any
 * of UP, DOWN, LEFT, RIGHT, FIRE (the A button), B, SELECT, START, e.g. `UPLEFTFIRE` or `RIGHTB`.
 * Each game's manifest lists its minimal set; `FULL_ACTION_SET` is always available.
 */
import { UserError } from './errors.ts';
import { Button } from './nes/machine.ts';

const TOKENS: readonly [string, number][] = [
  ['SELECT', 1 << Button.SELECT],
  ['START', 1 << Button.START],
  ['RIGHT', 1 << Button.RIGHT],
  ['LEFT', 1 << Button.LEFT],
  ['DOWN', 1 << Button.DOWN],
  ['FIRE', 1 << Button.A],
  ['UP', 1 << Button.UP],
  ['B', 1 << Button.B],
];

/** ALE's 18 joystick actions (in ALE's order), then the NES's B, START and SELECT uses. */
export const FULL_ACTION_SET: readonly string[] = [
  'NOOP',
  'FIRE',
  'UP',
  'RIGHT',
  'LEFT',
  'DOWN',
  'UPRIGHT',
  'UPLEFT',
  'DOWNRIGHT',
  'DOWNLEFT',
  'UPFIRE',
  'RIGHTFIRE',
  'LEFTFIRE',
  'DOWNFIRE',
  'UPRIGHTFIRE',
  'UPLEFTFIRE',
  'DOWNRIGHTFIRE',
  'DOWNLEFTFIRE',
  'B',
  'UPB',
  'RIGHTB',
  'LEFTB',
  'DOWNB',
  'FIREB',
  'RIGHTFIREB',
  'LEFTFIREB',
  'START',
  'SELECT',
];

/** The button mask an action name presses; throws a `UserError` for an unknown token. */
export function buttonMaskOf(name: string): number {
  if (name === 'NOOP') return 0;
  let mask = 0;
  let rest = name;
  while (rest.length > 0) {
    const token = TOKENS.find(([prefix]) => rest.startsWith(prefix));
    if (!token) {
      throw new UserError(
        `unknown action "${name}": use NOOP or a run of UP, DOWN, LEFT, RIGHT, FIRE, B, SELECT, START`,
        'BAD_ACTION',
      );
    }
    if (mask & token[1])
      throw new UserError(`action "${name}" names ${token[0]} twice`, 'BAD_ACTION');
    mask |= token[1];
    rest = rest.slice(token[0].length);
  }
  if (
    (mask & (1 << Button.UP) && mask & (1 << Button.DOWN)) ||
    (mask & (1 << Button.LEFT) && mask & (1 << Button.RIGHT))
  ) {
    throw new UserError(`action "${name}" presses opposite directions at once`, 'BAD_ACTION');
  }
  return mask;
}

/** Button masks for an action set, index-aligned with the names. */
export function buttonMasksOf(names: readonly string[]): Uint8Array {
  return Uint8Array.from(names, buttonMaskOf);
}

/**
 * Two controllers' action indices as one action number, a byte each, controller 1 in the low byte:
 * what the two-player frame env steps with and what `StickyAction` with a stream per controller
 * reads (action indices are below 256: `FULL_ACTION_SET` has 28).
 */
export function packControllers(action1: number, action2: number): number {
  return action1 | (action2 << 8);
}

/** Controller `index`'s action (0: controller 1) in a `packControllers` number. */
export function controllerAction(controllers: number, index: number): number {
  return (controllers >>> (8 * index)) & 0xff;
}
