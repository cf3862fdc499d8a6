/**
 * The scripted Brick player under the arena's conditions (frame skip 4, sticky actions 0.25):
 * aiming at standing bricks clears a whole wall in a few minutes of play, where a player that
 * only centres its paddle under the ball loops past the last bricks until the frame cap.
 */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../emulators/core.ts';
import { makeGameEnv } from '../../emulators/index.ts';
import { loadGame } from '../../emulators/manifest/index.ts';
import type { NesEnv } from '../../emulators/nes/nesEnv.ts';
import { makeBuiltinAgent } from '../builtin.ts';

const entry = loadGame('brick').entry;

describe('scripted Brick agent', () => {
  it('clears the first wall without losing more than two balls', () => {
    const env = makeGameEnv({ game: 'brick', stickyActionProbability: 0.25, noopMax: 30 });
    const nes = unwrap(env) as NesEnv;
    const agent = makeBuiltinAgent('scripted', {
      entry,
      actions: entry.actions,
      seed: 7,
      ram: () => nes.machine.ram,
    });
    let { observation, info } = env.reset({ seed: 7 });
    const wall = entry.ram.positions.wall;
    let steps = 0;
    while (nes.machine.readRam(wall) === 0 && steps < 6000) {
      const result = env.step(agent.act(observation, info));
      observation = result.observation;
      info = result.info;
      steps++;
      if (result.terminated || result.truncated) break;
    }
    // 6,000 agent steps are 24,000 frames (under 7 minutes of play).
    expect(nes.machine.readRam(wall)).toBe(1);
    // A full wall is worth 2 x 14 x (7 + 4 + 1) = 336 points.
    expect(info.score).toBeGreaterThanOrEqual(336);
    expect(info.lives).toBeGreaterThanOrEqual(3);
  });
});
