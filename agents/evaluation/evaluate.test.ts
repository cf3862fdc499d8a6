import { describe, expect, it } from 'vitest';
import { ChainEnv } from '../../tests/support/chainEnv.ts';
import type { Agent } from '../agent.ts';
import { RandomAgent } from '../randomAgent.ts';
import { ARENA_CONDITIONS, evalSeeds } from './conditions.ts';
import { type EvalEnvOptions, evaluateAgent, evaluateOnValidationSeeds } from './evaluate.ts';
import { evalStats as summarise } from './statistics.ts';
import { studentTQuantile } from './studentT.ts';

const tQuantile975 = (df: number) => studentTQuantile(0.975, df);

/** Always presses RIGHT (action 1). */
const rightAgent: Agent = {
  name: 'right',
  numActions: 2,
  act: () => 1,
  actBatch: (_o, count, out) => out.fill(1, 0, count),
};

describe('summarise', () => {
  it('computes mean, t-interval, median, extremes and the normalised score', () => {
    const s = summarise([5, 1, 4, 2, 3], { random: 1, scripted: 5 });
    const half = 2.7764451 * (Math.sqrt(2.5) / Math.sqrt(5)); // t(0.975, 4) * s / sqrt(n)
    expect(s.mean).toBe(3);
    expect(s.std).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(s.ci95[0]).toBeCloseTo(3 - half, 6);
    expect(s.ci95[1]).toBeCloseTo(3 + half, 6);
    expect([s.median, s.min, s.max]).toEqual([3, 1, 5]);
    expect(s.normalised).toBe(0.5);
    expect(summarise([1, 2, 3, 4]).median).toBe(2.5);
    expect(summarise([7]).ci95).toEqual([7, 7]);
    expect(summarise([1, 2]).normalised).toBeNull();
  });

  it('uses t quantiles that approach the normal one', () => {
    expect(tQuantile975(30)).toBeCloseTo(2.042, 3);
    expect(tQuantile975(31)).toBeLessThan(2.042);
    expect(tQuantile975(31)).toBeCloseTo(2.0395, 3);
    expect(tQuantile975(1000)).toBeCloseTo(1.9623, 3);
  });
});

describe('evaluateAgent', () => {
  it("scores the game's own score (info.score), not the reward it trains on", async () => {
    // Duel's reward is the point difference; its score is the player's points. A chain env whose
    // rewards are offset by -10 per step while info.score counts the real rewards shows which is used.
    class OffsetRewardChain extends ChainEnv {
      override step(action: number) {
        const result = super.step(action);
        return { ...result, reward: result.reward - 10 };
      }
    }
    const result = await evaluateAgent({
      agent: rightAgent,
      episodes: 2,
      epsilon: 0,
      makeEnv: () => new OffsetRewardChain({ length: 5, start: 1 }),
    });
    expect(result.scores).toEqual([1, 1]);
  });

  it('plays each fixed seed under the arena conditions', async () => {
    const seen: EvalEnvOptions[] = [];
    const result = await evaluateAgent({
      agent: rightAgent,
      episodes: 4,
      epsilon: 0,
      makeEnv: (options) => {
        seen.push(options);
        return new ChainEnv({ length: 5, start: 1 });
      },
    });
    expect(result.scores).toEqual([1, 1, 1, 1]);
    expect(result.lengths).toEqual([3, 3, 3, 3]);
    expect(seen.map((o) => o.seed)).toEqual(evalSeeds(4));
    expect(seen[0]).toMatchObject({
      stickyActionProbability: 0.25,
      noopMax: 30,
      maxEpisodeFrames: 108_000,
      terminalOnLifeLoss: false,
    });
    expect(result.stats.mean).toBe(1);
  });

  it('plays the validation seeds for training evaluations', async () => {
    const seen: number[] = [];
    const result = await evaluateOnValidationSeeds({
      agent: rightAgent,
      episodes: 3,
      epsilon: 0,
      makeEnv: ({ seed }) => {
        seen.push(seed);
        return new ChainEnv({ length: 5, start: 1 });
      },
    });
    expect(seen).toEqual(evalSeeds(3, 'validation'));
    expect(result.seeds).toEqual(seen);
    expect(result.stats.mean).toBe(1);
  });

  it('keeps the validation seed list apart from the test list', () => {
    const test = evalSeeds(1000);
    const validation = evalSeeds(1000, 'validation');
    expect(evalSeeds(1000, 'test')).toEqual(test);
    expect(new Set(validation).size).toBe(1000);
    expect(validation.filter((s) => test.includes(s))).toEqual([]);
    for (const s of validation) expect(s >= 0 && s <= 0x7fffffff && Number.isInteger(s)).toBe(true);
  });

  it('gives the same scores whatever the number of episodes run side by side', async () => {
    const run = (parallel: number) =>
      evaluateAgent({
        agent: rightAgent,
        episodes: 6,
        parallel,
        epsilon: ARENA_CONDITIONS.modelEpsilon * 6, // enough exploration to make episodes differ
        makeEnv: () => new ChainEnv({ length: 8, start: 4, leftReward: 0.5, maxSteps: 30 }),
      });
    const one = await run(1);
    const three = await run(3);
    expect(three.scores).toEqual(one.scores);
    expect(new Set(one.lengths).size).toBeGreaterThan(1);
  });

  it('scores a random agent below a scripted one', async () => {
    const makeEnv = () => new ChainEnv({ length: 9, start: 4, leftReward: 0, maxSteps: 12 });
    const random = await evaluateAgent({ agent: new RandomAgent(2, 1), episodes: 20, makeEnv });
    const scripted = await evaluateAgent({ agent: rightAgent, episodes: 20, makeEnv });
    expect(random.stats.mean).toBeLessThan(scripted.stats.mean);
  });
});
