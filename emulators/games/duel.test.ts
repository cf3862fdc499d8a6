/**
 * Duel, played through the real environment: both controllers, the computer opponent's levels,
 * scoring to 21 and game over, and seeded play.
 */
import { describe, expect, it } from 'vitest';
import { makeNesEnv } from '../index.ts';
import { loadGame } from '../manifest/index.ts';

const entry = loadGame('duel').entry;
const at = entry.ram.positions;
const [NOOP, UP, DOWN] = ['NOOP', 'UP', 'DOWN'].map((a) => entry.actions.indexOf(a));

describe('Duel', () => {
  it('boots to play with both scores at 0', () => {
    const env = makeNesEnv({ game: 'duel' });
    const { info } = env.reset({ seed: 1 });
    expect(info).toMatchObject({ score: 0, opponentScore: 0 });
    expect(env.machine.readRam(0x40)).toBe(1);
  });

  it('moves each paddle from its own controller, independently', () => {
    const env = makeNesEnv({ game: 'duel', settings: { controller2: 'agent' } });
    env.reset({ seed: 1 });
    const left0 = env.machine.readRam(at.leftPaddleY);
    const right0 = env.machine.readRam(at.rightPaddleY);
    env.setController2(DOWN);
    for (let i = 0; i < 10; i++) env.step(UP);
    const left1 = env.machine.readRam(at.leftPaddleY);
    const right1 = env.machine.readRam(at.rightPaddleY);
    expect(left1).toBeLessThan(left0);
    expect(right1).toBeGreaterThan(right0);
    env.setController2(NOOP);
    for (let i = 0; i < 10; i++) env.step(DOWN);
    expect(env.machine.readRam(at.leftPaddleY)).toBeGreaterThan(left1);
    expect(env.machine.readRam(at.rightPaddleY)).toBe(right1);
  });

  it('ignores controller 2 when the computer plays the right paddle', () => {
    const env = makeNesEnv({ game: 'duel', settings: { controller2: 'computer' } });
    env.reset({ seed: 1 });
    const right0 = env.machine.readRam(at.rightPaddleY);
    env.setController2(DOWN);
    for (let i = 0; i < 6; i++) env.step(NOOP);
    // Before the serve the computer holds still, so any movement would come from controller 2.
    expect(env.machine.readRam(at.rightPaddleY)).toBe(right0);
  });

  it('has computer levels that differ measurably: easy concedes more than hard', () => {
    const conceded = (level: string) => {
      let points = 0;
      for (const seed of [1, 2]) {
        const env = makeNesEnv({ game: 'duel', settings: { opponentLevel: level } });
        env.reset({ seed });
        // A left paddle that never moves: every point it wins is a miss by the computer.
        for (let frame = 0; frame < 2000; frame++) {
          if (env.step(NOOP).terminated) break;
        }
        points += env.readScore();
      }
      return points;
    };
    const easy = conceded('easy');
    const hard = conceded('hard');
    expect(easy).toBeGreaterThan(hard);
  }, 300_000);

  it('ends at 21 with game over, the reward counting points for and against', () => {
    const env = makeNesEnv({ game: 'duel', settings: { opponentLevel: 'hard' } });
    env.reset({ seed: 4 });
    let total = 0;
    let frames = 0;
    for (;;) {
      const result = env.step(NOOP);
      total += result.reward;
      frames++;
      if (result.terminated) break;
      expect(frames).toBeLessThan(30_000);
    }
    const mine = env.readScore();
    const theirs = env.readOpponentScore();
    expect(Math.max(mine, theirs)).toBe(21);
    expect(total).toBe(mine - theirs);
    expect(env.machine.readRam(entry.ram.gameOver.address)).toBe(1);
  }, 300_000);

  it('plays the same for the same seed and differently for another', () => {
    const trace = (seed: number) => {
      const env = makeNesEnv({ game: 'duel' });
      env.reset({ seed });
      const path: number[] = [];
      for (let i = 0; i < 200; i++) {
        env.step(NOOP);
        path.push(env.machine.readRam(at.ballX), env.machine.readRam(at.ballY));
      }
      return path;
    };
    expect(trace(3)).toEqual(trace(3));
    expect(trace(3)).not.toEqual(trace(4));
  });
});
