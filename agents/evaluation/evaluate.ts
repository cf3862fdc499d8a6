/**
 * Scoring an agent under the arena's conditions (`conditions.ts`) on a public seed list: what
 * `arena eval` prints and what training's periodic evaluations log. The score of an episode is
 * the game's own score for the player at its end (`info.score`, as in the manifest baselines and
 * on the leaderboards): in Brick the sum of the rewards; in Duel the player's points, while the
 * reward it trains on is the point difference.
 *
 * Takes an agent and an env factory (CleanRL's `dqn_eval.py` shape), so it runs on fakes in tests
 * and on the NES envs in `arena eval`. Several episodes run side by side with one batched forward
 * pass per step (`runEpisodes.ts`); epsilon applies on top of the agent's choice.
 */
import type { Env } from '../../emulators/core.ts';
import type { Agent } from '../agent.ts';
import { ARENA_CONDITIONS, type EnvConditions, evalSeeds } from './conditions.ts';
import { runEpisodes } from './runEpisodes.ts';
import { type Baselines, type EvalStats, evalStats } from './statistics.ts';

/** What the env factory receives: the episode's seed plus the arena's conditions. */
export interface EvalEnvOptions extends EnvConditions {
  seed: number;
}

export interface EvaluateOptions {
  agent: Agent;
  makeEnv: (options: EvalEnvOptions) => Env | Promise<Env>;
  episodes?: number;
  /** Overrides the fixed seed list (length must be at least `episodes`). */
  seeds?: readonly number[];
  /** Exploration on top of the agent's choice; the arena's `modelEpsilon` by default. */
  epsilon?: number;
  /** Episodes played side by side (one batched forward pass per step). */
  parallel?: number;
  /** Mean scores of the game's random and scripted baselines, for the normalised score. */
  baselines?: Baselines;
  /** Overrides of the arena conditions (tests use shorter caps). */
  conditions?: Partial<EnvConditions>;
  onEpisode?: (episode: number, score: number) => void;
}

export interface EvalResult {
  scores: number[];
  lengths: number[];
  seeds: number[];
  stats: EvalStats;
}

/**
 * Training's periodic evaluation: the arena's conditions on the validation seed list, so a run
 * that keeps its best agent chooses it without seeing the test seeds `arena eval` scores on.
 */
export function evaluateOnValidationSeeds(
  options: Omit<EvaluateOptions, 'seeds' | 'episodes'> & { episodes: number },
): Promise<EvalResult> {
  return evaluateAgent({ ...options, seeds: evalSeeds(options.episodes, 'validation') });
}

export async function evaluateAgent(options: EvaluateOptions): Promise<EvalResult> {
  const episodes = options.episodes ?? ARENA_CONDITIONS.episodes;
  const seeds = (options.seeds ?? evalSeeds(episodes)).slice(0, episodes);
  if (seeds.length < episodes) throw new RangeError(`need ${episodes} seeds, got ${seeds.length}`);
  const conditions: EnvConditions = {
    stickyActionProbability: ARENA_CONDITIONS.stickyActionProbability,
    noopMax: ARENA_CONDITIONS.noopMax,
    maxEpisodeFrames: ARENA_CONDITIONS.maxEpisodeFrames,
    terminalOnLifeLoss: false,
    ...options.conditions,
  };
  const scores = new Array<number>(episodes).fill(0);
  const lengths = new Array<number>(episodes).fill(0);
  await runEpisodes<Env>({
    plans: seeds.map((seed, index) => ({ index, seed })),
    makeEnv: ({ seed }) => options.makeEnv({ seed, ...conditions }),
    policy: {
      kind: 'shared',
      agent: options.agent,
      epsilon: options.epsilon ?? ARENA_CONDITIONS.modelEpsilon,
    },
    parallel: options.parallel ?? 8,
    onEpisode: (episode) => {
      scores[episode.plan.index] = episode.score;
      lengths[episode.plan.index] = episode.steps;
      options.onEpisode?.(episode.plan.index, episode.score);
    },
  });
  return { scores, lengths, seeds, stats: evalStats(scores, options.baselines) };
}
