/**
 * The scripted Duel player (left paddle, controller 1): predicts where the ball will reach the
 * left paddle's face, bouncing off the top and bottom walls, and moves the paddle's centre there;
 * while the ball moves away it returns to the middle. Reads positions from RAM (manifest
 * `positions`).
 */
import type { Agent } from '../agent.ts';
import type { BuiltinAgentContext } from '../builtin.ts';
import { actionIndices, foldBetweenWalls, ramAgent, signed88 } from './ramAgent.ts';

/** Court geometry of Duel (emulators/games/duel/README.md). */
const PADDLE_FACE_X = 22;
const BALL_TOP_MIN = 32;
const BALL_TOP_MAX = 218;
const BALL_SIZE = 6;
const PADDLE_HEIGHT = 32;
const COURT_MIDDLE = (BALL_TOP_MIN + BALL_TOP_MAX + BALL_SIZE) / 2;
const DEADBAND = 4;

export function makeScriptedDuel(context: BuiltinAgentContext): Agent {
  const at = context.entry.ram.positions;
  const { NOOP, UP, DOWN } = actionIndices(context, 'scripted Duel', ['NOOP', 'UP', 'DOWN']);

  return ramAgent(context, () => {
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
  });
}
