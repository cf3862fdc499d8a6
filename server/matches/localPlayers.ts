/**
 * `MatchPlayer`s that run in this thread: the builtin agents (a RAM-reading scripted agent on
 * controller 2 reads the mirrored RAM), DQN agents (greedy, with the arena's epsilon drawn from
 * the side's own stream), and the game's computer (its controller is ignored by the game).
 */
import type { Agent } from '../../agents/agent.ts';
import { makeBuiltinAgent } from '../../agents/builtin.ts';
import { deriveSeed, Rng } from '../../emulators/rng.ts';
import type { Side, TwoPlayerEnv } from '../../emulators/twoPlayer.ts';
import type { MatchPlayer } from './player.ts';
import type { MatchPlayerSpec } from './task.ts';

export interface LocalPlayerOptions {
  spec: MatchPlayerSpec;
  env: TwoPlayerEnv;
  side: Side;
  /** The match seed; each side's streams derive from it and the side. */
  seed: number;
  /** Exploration rate on top of a model agent's greedy choice. */
  modelEpsilon: number;
  /** The loaded model, for `agent.kind === 'model'` specs (loaded once per task). */
  model?: Agent;
}

/** Plays nothing: with the computer on the right, the game ignores controller 2. */
export function computerPlayer(name: string): MatchPlayer {
  return { name, act: () => 0 };
}

export function agentPlayer(name: string, agent: Agent): MatchPlayer {
  return { name, act: (observation) => agent.act(observation) };
}

export function localPlayer(options: LocalPlayerOptions): MatchPlayer {
  const { spec, env, side } = options;
  const streams = deriveSeed(options.seed, `player:${side}`);
  if (spec.kind === 'computer') return computerPlayer(spec.name);
  if (spec.kind === 'relay') throw new Error(`${spec.name} plays over a relay, not in this thread`);
  if (spec.agent.kind === 'builtin') {
    const agent = makeBuiltinAgent(spec.agent.name, {
      entry: env.entry,
      actions: env.actionSpace.names,
      seed: streams,
      ram: env.ramOf(side),
    });
    return agentPlayer(spec.name, agent);
  }
  const model = options.model;
  if (!model) throw new Error(`model agent ${spec.name} was not loaded`);
  const explore = new Rng(deriveSeed(streams, 'epsilon'));
  const n = env.actionSpace.n;
  return {
    name: spec.name,
    act(observation) {
      if (explore.next() < options.modelEpsilon) return explore.int(n);
      return model.act(observation);
    },
  };
}
