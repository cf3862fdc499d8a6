import { describe, expect, it } from 'vitest';
import { ChainEnv } from '../../tests/support/chainEnv.ts';
import type { Agent } from '../agent.ts';
import { RandomAgent } from '../randomAgent.ts';
import { type EpisodePlan, type PlayingEpisode, runEpisodes } from './runEpisodes.ts';

const plans: EpisodePlan[] = [3, 1, 4, 1, 5, 9].map((seed, index) => ({ index, seed }));
const makeEnv = () => new ChainEnv({ length: 8, start: 4, leftReward: 0.5, maxSteps: 25 });

describe('runEpisodes', () => {
  it('gives each episode its own agent, seeded by the episode, and disposes of it', async () => {
    const made: { seed: number; disposed: boolean }[] = [];
    const scores = new Map<number, number>();
    const run = async (parallel: number) => {
      made.length = 0;
      scores.clear();
      await runEpisodes({
        plans,
        makeEnv,
        parallel,
        policy: {
          kind: 'perEpisode',
          make: (plan) => {
            const record = { seed: plan.seed, disposed: false };
            made.push(record);
            const agent: Agent = new RandomAgent(2, plan.seed);
            agent.dispose = () => {
              record.disposed = true;
            };
            return agent;
          },
        },
        onEpisode: (e) => scores.set(e.plan.index, e.score),
      });
      return plans.map((p) => scores.get(p.index));
    };
    const sideBySide = await run(6);
    expect(made.map((m) => m.seed)).toEqual(plans.map((p) => p.seed));
    expect(made.every((m) => m.disposed)).toBe(true);
    // Two at a time, refilled as episodes end: the same episodes.
    expect(await run(2)).toEqual(sideBySide);
    expect(new Set(sideBySide).size).toBeGreaterThan(1);
  });

  it('builds a shared policy from the first env and batches only the greedy episodes', async () => {
    const batchSizes: number[] = [];
    const agent: Agent = {
      name: 'right',
      numActions: 2,
      act: () => 1,
      actBatch: (_o, count, out) => {
        batchSizes.push(count);
        out.fill(1, 0, count);
      },
    };
    let firstEnvActions = 0;
    await runEpisodes({
      plans,
      makeEnv,
      policy: async (env) => {
        firstEnvActions = env.actionSpace.n;
        return { kind: 'shared', agent, epsilon: 0.5 };
      },
      onEpisode: () => {},
    });
    expect(firstEnvActions).toBe(2);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(plans.length);
    // With epsilon 0.5 some steps explore, so some batches hold fewer than every running episode.
    expect(batchSizes.some((n) => n < plans.length)).toBe(true);
  });

  it('shows observers every started episode, finished ones included, and closes every env', async () => {
    const seen: number[] = [];
    let closed = 0;
    let finishedSeen = false;
    await runEpisodes({
      plans,
      parallel: 3,
      makeEnv: () => {
        const env = makeEnv();
        const close = env.close.bind(env);
        env.close = () => {
          closed++;
          close();
        };
        return env;
      },
      policy: { kind: 'perEpisode', make: (plan) => new RandomAgent(2, plan.seed) },
      observe: (episodes: readonly PlayingEpisode[]) => {
        seen.push(episodes.length);
        if (episodes.some((e) => e.done)) finishedSeen = true;
        return false;
      },
      onEpisode: () => {},
    });
    expect(seen[0]).toBe(3);
    expect(seen[seen.length - 1]).toBe(plans.length);
    expect(finishedSeen).toBe(true);
    expect(closed).toBe(plans.length);
  });
});
