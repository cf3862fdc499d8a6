/**
 * The scripted Brick player: reads the ball, paddle and brick map from RAM (addresses from the
 * manifest's `positions`), predicts where the ball will cross the paddle's row, bouncing off the
 * side walls, and chooses where on the paddle to take it so that the rebound flies towards a
 * standing brick (preferring the top rows' points and gaps that let the ball behind the wall).
 * Aiming matters: a player that only centres the paddle falls into rebound loops that miss the
 * last bricks and plays until the frame cap. It stands in for a human reference score.
 *
 * Game facts used (emulators/games/brick/README.md and main.s): the paddle has 8 segments of 4 px;
 * segment s = (ball centre - paddle x + 2) / 4 sets the rebound's direction and angle; ball
 * velocities per speed level and angle are 8.8 fixed-point table values.
 */
import type { Agent } from '../agent.ts';
import type { BuiltinAgentContext } from '../builtin.ts';
import { actionIndices, foldBetweenWalls, ramAgent, signed88 } from './ramAgent.ts';

/** Playfield geometry of Brick. */
const FIELD_LEFT = 16;
const BALL_MAX_X = 234;
const PADDLE_Y = 208;
const BALL_SIZE = 6;
const PADDLE_WIDTH = 32;
const PADDLE_MAX_X = 208;
const BRICK_TOP = 48;
const BRICK_ROWS = 6;
const BRICK_COLS = 14;
const BRICKS_ADDRESS = 0x300;
const ROW_POINTS = [7, 7, 4, 4, 1, 1];
const FIELD_TOP = 32;
/** Extra worth of a brick hit from above: the ball is behind the wall and keeps breaking bricks there. */
const BEHIND_WALL_BONUS = 6;
/**
 * With frame skip 4 the paddle moves 12 px per agent step, so it settles within half of that
 * around its goal: the agent holds still inside this band.
 */
const DEADBAND = 6;
/** Paddle segments the agent aims at: the two end segments are left out, a 6 px miss there loses the ball. */
const AIM_SEGMENTS = [1, 2, 3, 4, 5, 6];
/** Flights in a row without points after which the agent stops trusting its aim and varies it. */
const MAX_MISSED_AIMS = 3;
/** Rebound per segment (main.s): direction (-1 left, +1 right) and angle (0 steep .. 2 flat). */
const SEGMENT_DIRECTION = [-1, -1, -1, -1, 1, 1, 1, 1];
const SEGMENT_ANGLE = [2, 1, 0, 0, 0, 0, 1, 2];
/** Ball speed per (speed level, angle) in 1/256 px per frame (main.s `vx_table`, `vy_table`). */
const VX = [162, 247, 315, 216, 329, 419, 270, 411, 524, 325, 494, 629];
const VY = [348, 294, 220, 464, 392, 294, 580, 490, 367, 696, 588, 441];

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
    'speedLevel',
  ];
  for (const name of need)
    if (at[name] === undefined) throw new Error(`brick manifest lacks positions.${name}`);
  const { NOOP, FIRE, LEFT, RIGHT } = actionIndices(context, 'scripted Brick', [
    'NOOP',
    'FIRE',
    'LEFT',
    'RIGHT',
  ]);

  /**
   * What a rebound from `segment` with the ball's left edge at `x` on the paddle row hits first
   * on its way up and, after the top wall, back down: that brick's points, or 0 for an empty flight.
   */
  function reboundValue(ram: Uint8Array, x: number, segment: number): number {
    const level = Math.min(3, ram[at.speedLevel]);
    const index = level * 3 + SEGMENT_ANGLE[segment];
    let vx = (SEGMENT_DIRECTION[segment] * VX[index]) / 256;
    let vy = -VY[index] / 256;
    let y = PADDLE_Y - BALL_SIZE;
    for (let frame = 0; frame < 600; frame++) {
      x += vx;
      y += vy;
      if (x < FIELD_LEFT) {
        x = 2 * FIELD_LEFT - x;
        vx = -vx;
      } else if (x > BALL_MAX_X) {
        x = 2 * BALL_MAX_X - x;
        vx = -vx;
      }
      if (y < FIELD_TOP) {
        y = 2 * FIELD_TOP - y;
        vy = -vy;
      }
      if (vy > 0 && y >= PADDLE_Y - BALL_SIZE) return 0;
      const row = Math.floor((y + BALL_SIZE / 2 - BRICK_TOP) / 8);
      if (row < 0 || row >= BRICK_ROWS) continue;
      const col = Math.floor((x + BALL_SIZE / 2 - FIELD_LEFT) / 16);
      if (col >= 0 && col < BRICK_COLS && ram[BRICKS_ADDRESS + row * 16 + col] === 1) {
        return ROW_POINTS[row] + (vy > 0 ? BEHIND_WALL_BONUS : 0);
      }
    }
    return 0;
  }

  /** The paddle x that takes a ball landing at `landingX` on the best-valued segment. */
  function aimedPaddleX(ram: Uint8Array, landingX: number): number {
    const centre = landingX + BALL_SIZE / 2;
    // When no rebound reaches a brick, or aimed rebounds keep missing (the paddle only settles
    // within a few pixels, so a planned hit can fail on every flight), vary the segment from one
    // descent to the next so the ball does not repeat one empty flight for ever.
    const fallback = centre - 4 * AIM_SEGMENTS[(descents * 5) % AIM_SEGMENTS.length];
    if (descentsWithoutPoints > MAX_MISSED_AIMS) return fallback;
    let best = fallback;
    let bestValue = 0;
    for (const segment of AIM_SEGMENTS) {
      // The paddle settles up to DEADBAND px off its goal, so a segment's worth includes its neighbours'.
      const value =
        2 * reboundValue(ram, landingX, segment) +
        reboundValue(ram, landingX, segment - 1) +
        reboundValue(ram, landingX, segment + 1);
      const paddleX = centre - 4 * segment;
      if (value > bestValue && paddleX >= FIELD_LEFT && paddleX <= PADDLE_MAX_X) {
        bestValue = value;
        best = paddleX;
      }
    }
    return Math.min(PADDLE_MAX_X, Math.max(FIELD_LEFT, best));
  }

  /** Descents seen this episode (a new episode starts with score 0); only the fallback aim uses it. */
  let descents = 0;
  let descentsWithoutPoints = 0;
  let descending = false;
  let lastScore = 0;
  const scoreAddresses = [context.entry.ram.score.address].flat();

  return ramAgent(context, () => {
    const ram = context.ram();
    const score = scoreAddresses.reduce((sum, address, i) => sum + ram[address] * 256 ** i, 0);
    if (score === 0) descents = 0;
    if (score !== lastScore) descentsWithoutPoints = 0;
    lastScore = score;
    if (ram[at.ballState] === 0) return FIRE;
    const x = ram[at.ballX];
    const y = ram[at.ballY];
    const vx = signed88(ram[at.ballVxHi], ram[at.ballVxLo]);
    const vy = signed88(ram[at.ballVyHi], ram[at.ballVyLo]);
    let goal = x + BALL_SIZE / 2 - PADDLE_WIDTH / 2;
    if (vy > 0 && !descending) {
      descents++;
      descentsWithoutPoints++;
    }
    descending = vy > 0;
    if (vy > 0) {
      const frames = Math.max(0, (PADDLE_Y - BALL_SIZE - y) / vy);
      const landingX = foldBetweenWalls(x, vx, frames, FIELD_LEFT, BALL_MAX_X);
      goal = aimedPaddleX(ram, landingX);
    }
    const paddleX = ram[at.paddleX];
    if (goal < paddleX - DEADBAND) return LEFT;
    if (goal > paddleX + DEADBAND) return RIGHT;
    return NOOP;
  });
}
