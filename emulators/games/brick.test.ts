/**
 * Brick, played through the real environment: it boots to play, every action does what it says,
 * it scores, loses balls and ends, and its seed changes the play.
 */
import { describe, expect, it } from 'vitest';
import { makeBuiltinAgent } from '../../agents/builtin.ts';
import { makeNesEnv } from '../index.ts';
import { loadGame } from '../manifest/index.ts';

const entry = loadGame('brick').entry;
const at = entry.ram.positions;
const [NOOP, FIRE, LEFT, RIGHT] = ['NOOP', 'FIRE', 'LEFT', 'RIGHT'].map((a) =>
  entry.actions.indexOf(a),
);

function fresh(seed = 1) {
  const env = makeNesEnv({ game: 'brick' });
  env.reset({ seed });
  return env;
}

describe('Brick', () => {
  it('boots to play after reset with 5 balls, no score and the ball on the paddle', () => {
    const env = makeNesEnv({ game: 'brick' });
    const { info } = env.reset({ seed: 3 });
    expect(info).toMatchObject({ lives: 5, score: 0 });
    expect(env.machine.readRam(at.ballState)).toBe(0);
    expect(env.machine.readRam(at.bricksLeft)).toBe(84);
  });

  it('moves the paddle with LEFT and RIGHT and launches the ball with FIRE', () => {
    const env = fresh();
    const x0 = env.machine.readRam(at.paddleX);
    for (let i = 0; i < 10; i++) env.step(RIGHT);
    const x1 = env.machine.readRam(at.paddleX);
    expect(x1).toBeGreaterThan(x0);
    for (let i = 0; i < 10; i++) env.step(LEFT);
    expect(env.machine.readRam(at.paddleX)).toBeLessThan(x1);
    env.step(NOOP);
    expect(env.machine.readRam(at.ballState)).toBe(0);
    env.step(FIRE);
    env.step(NOOP);
    expect(env.machine.readRam(at.ballState)).toBe(1);
  });

  it('loses every ball and ends with game over when nobody plays', () => {
    const env = fresh(5);
    const lives: number[] = [];
    let frames = 0;
    for (;;) {
      const result = env.step(NOOP);
      frames++;
      if (lives.at(-1) !== result.info.lives) lives.push(result.info.lives);
      if (result.terminated) break;
      expect(frames).toBeLessThan(20_000);
    }
    expect(lives).toEqual([5, 4, 3, 2, 1, 0]);
    expect(env.machine.readRam(entry.ram.gameOver.address)).toBe(1);
  });

  it('scores points for bricks when the scripted agent plays', () => {
    const env = makeNesEnv({ game: 'brick' });
    const agent = makeBuiltinAgent('scripted', {
      entry,
      actions: entry.actions,
      seed: 0,
      ram: () => env.machine.ram,
    });
    env.reset({ seed: 2 });
    let score = 0;
    const empty = new Uint8Array(0);
    let action = NOOP;
    for (let frame = 0; frame < 3000; frame++) {
      if (frame % 4 === 0) action = agent.act(empty);
      score += env.step(action).reward;
    }
    expect(score).toBeGreaterThan(0);
    expect(env.readScore()).toBe(score);
    expect(env.machine.readRam(at.bricksLeft)).toBeLessThan(84);
  });

  it('plays the same for the same seed and differently for another', () => {
    const trace = (seed: number) => {
      const env = fresh(seed);
      env.step(FIRE);
      const path: number[] = [];
      for (let i = 0; i < 240; i++) {
        env.step(NOOP);
        path.push(env.machine.readRam(at.ballX), env.machine.readRam(at.ballY));
      }
      return path;
    };
    expect(trace(7)).toEqual(trace(7));
    expect(trace(7)).not.toEqual(trace(8));
  });
});
