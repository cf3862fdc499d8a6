import { describe, expect, it } from 'vitest';
import { ChainEnv } from '../../tests/support/chainEnv.ts';
import type { Agent } from '../agent.ts';
import { RandomAgent } from '../randomAgent.ts';
import {
  type EpisodeAgent,
  type EpisodePlan,
  type PlayingEpisode,
  runEpisodes,
} from './runEpisodes.ts';

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

  it('awaits agents whose actions are promises (remote agents) and plays the same episodes', async () => {
    const play = async (relayed: boolean) => {
      const scores: number[] = [];
      const steps: number[] = [];
      const stepsSeen: number[] = [];
      await runEpisodes<ChainEnv, EpisodeAgent>({
        plans,
        makeEnv,
        parallel: 2,
        policy: {
          kind: 'perEpisode',
          make: (plan) => {
            const random = new RandomAgent(2, plan.seed);
            return {
              act: (observation, info) => {
                stepsSeen.push(info.episodeFrame);
                const action = random.act(observation);
                // The reply comes later, after timers have run (as a network reply would).
                if (!relayed) return action;
                return new Promise<number>((resolve) => setTimeout(() => resolve(action), 0));
              },
            };
          },
        },
        onEpisode: (e) => {
          scores[e.plan.index] = e.score;
          steps[e.plan.index] = e.steps;
        },
      });
      return { scores, steps, stepsSeen };
    };
    const local = await play(false);
    expect(await play(true)).toEqual(local);
    // Each act was given its episode's latest info (ChainEnv counts its steps in episodeFrame).
    expect(local.stepsSeen).toContain(0);
    expect(Math.max(...local.stepsSeen)).toBeGreaterThan(0);
  });

  it('closes every env and rethrows when an action is rejected', async () => {
    const envs: ChainEnv[] = [];
    const disposed: number[] = [];
    const forfeit = new Error('the agent disconnected');
    const run = runEpisodes<ChainEnv, EpisodeAgent>({
      plans,
      parallel: 3,
      makeEnv: () => {
        const env = makeEnv();
        envs.push(env);
        return env;
      },
      policy: {
        kind: 'perEpisode',
        make: (plan) => {
          let asked = 0;
          return {
            act: () => (plan.index === 1 && ++asked === 3 ? Promise.reject(forfeit) : 0),
            dispose: () => disposed.push(plan.index),
          };
        },
      },
      onEpisode: () => {},
    });
    await expect(run).rejects.toBe(forfeit);
    expect(envs).toHaveLength(3);
    expect(envs.every((env) => env.closed)).toBe(true);
    expect(disposed.sort()).toEqual([0, 1, 2]);
  });
});
