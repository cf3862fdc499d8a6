/**
 * The scripted Brick player: reads the ball's position and velocity from RAM (addresses from the
 * manifest's `positions`), predicts where the ball will cross the paddle's row, bouncing off the
 * side walls, and moves the paddle's centre there. It stands in for a human reference score.
 */
import type { Agent } from '../agent.ts';
import type { BuiltinAgentContext } from '../builtin.ts';
import { actionIndices, foldBetweenWalls, ramAgent, signed88 } from './ramAgent.ts';

/** Playfield geometry of Brick (emulators/games/brick/README.md). */
const FIELD_LEFT = 16;
const BALL_MAX_X = 234;
const PADDLE_Y = 208;
const BALL_SIZE = 6;
const PADDLE_WIDTH = 32;
/** Pixels from the paddle centre within which the agent holds still. */
const DEADBAND = 5;

export function makeScriptedBrick(context: BuiltinAgentContext): Agent {
  const at = context.entry.ram.positions;
  const need = [
    'ballX',
    'ballY',
    'ballVxLo',
    'ballVxHi',
    'ballVyLo',
    'ballVyHi',
    'paddleX',
    'ballState',
  ];
  for (const name of need)
    if (at[name] === undefined) throw new Error(`brick manifest lacks positions.${name}`);
  const { NOOP, FIRE, LEFT, RIGHT } = actionIndices(context, 'scripted Brick', [
    'NOOP',
    'FIRE',
    'LEFT',
    'RIGHT',
  ]);

  return ramAgent(context, () => {
    const ram = context.ram();
    if (ram[at.ballState] === 0) return FIRE;
    const x = ram[at.ballX];
    const y = ram[at.ballY];
    const vx = signed88(ram[at.ballVxHi], ram[at.ballVxLo]);
    const vy = signed88(ram[at.ballVyHi], ram[at.ballVyLo]);
    let target = x + BALL_SIZE / 2;
    if (vy > 0) {
      const frames = Math.max(0, (PADDLE_Y - BALL_SIZE - y) / vy);
      target = foldBetweenWalls(x, vx, frames, FIELD_LEFT, BALL_MAX_X) + BALL_SIZE / 2;
    }
    const centre = ram[at.paddleX] + PADDLE_WIDTH / 2;
    if (target < centre - DEADBAND) return LEFT;
    if (target > centre + DEADBAND) return RIGHT;
    return NOOP;
  });
}
