/**
 * Glue between the DQN code and the NES environments: the training vector env, the evaluation
 * env factory and a game's action set and baselines. Everything else in agents/dqn takes env
 * factories, so it runs on fakes in tests.
 */
import { makeGameEnv } from '../../emulators/index.ts';
import { findEntry } from '../../emulators/manifest/index.ts';
import { makeVectorEnv } from '../../emulators/vector/index.ts';
import type { VectorEnv } from '../../emulators/vector/vectorEnv.ts';
import type { EvalEnvOptions } from '../evaluation/evaluate.ts';
import type { DqnConfig } from './config.ts';

const ENV_MODULE = new URL('../../emulators/index.ts', import.meta.url).href;

export interface GameInfo {
  id: string;
  /** The minimal action set, in action-number order. */
  actions: string[];
  /** Mean scores of the random and scripted baselines, when the manifest has both. */
  baselines?: { random: number; scripted: number };
}

/**
 * A game's action set and baselines. Baselines are measured under fixed settings (Duel: the normal
 * computer); under other `settings` they do not apply and are left out.
 */
export function gameInfo(game: string, settings: Record<string, string> = {}): GameInfo {
  const entry = findEntry(game);
  const applies = (b: { settings?: Record<string, string> } | undefined) =>
    b !== undefined && sameSettings(b.settings ?? {}, settings);
  const random = applies(entry.baselines.random) ? entry.baselines.random?.mean : undefined;
  const scripted = applies(entry.baselines.scripted) ? entry.baselines.scripted?.mean : undefined;
  return {
    id: entry.id,
    actions: [...entry.actions],
    baselines: random !== undefined && scripted !== undefined ? { random, scripted } : undefined,
  };
}

/**
 * Niceness of the training env workers. The trainer's main thread learns while the workers
 * emulate the next step, and the learner is the serial part: when the workers share the two cores
 * with it as equals, it is held back and the next step waits on it. At nice 19 the learner goes
 * first and training makes more agent steps a second (docs/benchmarks.md has the measurement).
 */
export const TRAIN_ENV_WORKER_NICE = 19;

/** The training envs for a config: worker threads when there is more than one env. */
export function trainVectorEnv(cfg: DqnConfig): Promise<VectorEnv> {
  return makeVectorEnv({
    module: ENV_MODULE,
    options: {
      game: cfg.game,
      frameSkip: cfg.frameSkip,
      stickyActionProbability: cfg.stickyActionProbability,
      noopMax: cfg.noopMax,
      maxEpisodeFrames: cfg.maxEpisodeFrames,
      terminalOnLifeLoss: cfg.terminalOnLifeLoss,
      settings: cfg.settings,
    },
    numEnvs: cfg.numEnvs,
    mode: cfg.numEnvs > 1 ? 'workers' : 'sync',
    nice: TRAIN_ENV_WORKER_NICE,
  });
}

/** Builds one evaluation env of `game` under the conditions `evaluateAgent` passes. */
export function evalEnvFactory(game: string, frameSkip = 4, settings: Record<string, string> = {}) {
  return ({ seed: _seed, ...conditions }: EvalEnvOptions) =>
    makeGameEnv({ game, frameSkip, settings, ...conditions });
}

function sameSettings(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}
