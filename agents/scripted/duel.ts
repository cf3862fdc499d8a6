/**
 * The scripted Duel player (left paddle, controller 1): predicts where the ball will reach the
 * left paddle's face, bouncing off the top and bottom walls, and moves the paddle's centre there;
 * while the ball moves away it returns to the middle. Reads positions from RAM (manifest
 * `positions`).
 */
import type { Agent } from '../agent.ts';
import type { BuiltinAgentContext } from '../builtin.ts';

/** Court geometry of Duel (emulators/games/duel/README.md). */
const PADDLE_FACE_X = 22;
const BALL_TOP_MIN = 32;
const BALL_TOP_MAX = 218;
const BALL_SIZE = 6;
const PADDLE_HEIGHT = 32;
const COURT_MIDDLE = (BALL_TOP_MIN + BALL_TOP_MAX + BALL_SIZE) / 2;
const DEADBAND = 4;

function signed88(hi: number, lo: number): number {
  const raw = (hi << 8) | lo;
  return (raw >= 0x8000 ? raw - 0x10000 : raw) / 256;
}

/** Where a ball at `y` moving `vy` a frame will be after `frames`, folded between the walls. */
export function foldBetweenWalls(
  y: number,
  vy: number,
  frames: number,
  low: number,
  high: number,
): number {
  const span = high - low;
  let t = (y - low + vy * frames) % (2 * span);
  if (t < 0) t += 2 * span;
  return low + (t > span ? 2 * span - t : t);
}

export function makeScriptedDuel(context: BuiltinAgentContext): Agent {
  const at = context.entry.ram.positions;
  const index = (name: string) => {
    const i = context.actions.indexOf(name);
    if (i < 0) throw new Error(`the scripted Duel agent needs action ${name}`);
    return i;
  };
  const NOOP = index('NOOP');
  const UP = index('UP');
  const DOWN = index('DOWN');

  const choose = (): number => {
    const ram = context.ram();
    const x = ram[at.ballX];
    const y = ram[at.ballY];
    const vx = signed88(ram[at.ballVxHi], ram[at.ballVxLo]);
    const vy = signed88(ram[at.ballVyHi], ram[at.ballVyLo]);
    let target = COURT_MIDDLE;
    if (ram[at.ballState] === 1 && vx < 0) {
      const frames = Math.max(0, (x - PADDLE_FACE_X) / -vx);
      target = foldBetweenWalls(y, vy, frames, BALL_TOP_MIN, BALL_TOP_MAX) + BALL_SIZE / 2;
    }
    const centre = ram[at.leftPaddleY] + PADDLE_HEIGHT / 2;
    if (target < centre - DEADBAND) return UP;
    if (target > centre + DEADBAND) return DOWN;
    return NOOP;
  };

  return {
    name: 'scripted',
    numActions: context.actions.length,
    act: () => choose(),
    actBatch(_observations, count, out) {
      for (let i = 0; i < count; i++) out[i] = choose();
    },
  };
}
