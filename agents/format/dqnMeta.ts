/**
 * agent.json of an agent the DQN trainer made: what a run writes for its last, best and
 * weight-averaged agents, and what `arena agent export` writes for a checkpoint. The training
 * config goes in whole (`training.config`), so an agent folder says how it was made.
 */
import type { DqnConfig } from '../dqn/config.ts';
import type { SaveAgentOptions } from './io.ts';
import type { AgentMeta } from './schema.ts';

/** How a best agent was chosen, recorded in its agent.json (`training.selection`). */
export type AgentSelection = NonNullable<AgentMeta['training']['selection']>;

export interface DqnAgentMetaArgs {
  cfg: DqnConfig;
  runId: string;
  /** Agent steps trained when these weights were taken. */
  step: number;
  /** Action names in the network's output order. */
  actions: readonly string[];
  parameters: number;
  /** The tfjs backend the run trained on. */
  backend: string;
  /** SPDX identifier; default MIT. */
  licence?: string;
  selection?: AgentSelection;
  /** Set when the weights are the run's weight average rather than the online network's. */
  weightAverage?: { decay: number; updates: number };
}

/** The metadata `saveAgentDir` takes (it adds formatVersion, versions and createdAt). */
export function dqnAgentMeta(args: DqnAgentMetaArgs): SaveAgentOptions['meta'] {
  const { cfg, step, selection } = args;
  return {
    name: `${cfg.game}-dqn-${cfg.net}`.slice(0, 64),
    game: cfg.game,
    actions: [...args.actions],
    observation: {
      frameStack: 4,
      height: 84,
      width: 84,
      layout: 'NHWC',
      pixels: 'grayscale-0-255',
      frameSkip: cfg.frameSkip,
    },
    network: { kind: cfg.net, dueling: cfg.dueling, parameters: args.parameters },
    training: {
      algorithm: dqnAlgorithmName(cfg),
      steps: step,
      frames: step * cfg.frameSkip,
      seed: cfg.seed,
      runId: args.runId,
      config: cfg,
      ...(selection ? { selection } : {}),
      ...(args.weightAverage ? { weightAverage: args.weightAverage } : {}),
    },
    backend: args.backend,
    licence: args.licence ?? 'MIT',
  };
}

/** `training.algorithm`: the targets the run trained on (Munchausen replaces Double DQN). */
export function dqnAlgorithmName(cfg: Pick<DqnConfig, 'munchausen' | 'doubleDqn'>): string {
  if (cfg.munchausen) return 'munchausen-dqn';
  return cfg.doubleDqn ? 'double-dqn' : 'dqn';
}
