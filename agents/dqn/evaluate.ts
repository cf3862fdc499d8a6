/**
 * Evaluation under the arena's conditions (Machado et al. 2018 protocol): a fixed list of episode
 * seeds, up to 30 no-op starts, sticky actions with probability 0.25, a 108,000-frame cap, no
 * terminal-on-life-loss, and epsilon = 0.05 applied on top of any agent's choice. The score of an
 * episode is the game's own score for the player at its end (`info.score`, as in the manifest
 * baselines and on the leaderboards): in Brick the sum of the rewards; in Duel the player's
 * points, while the reward it trains on is the point difference.
 *
 * Takes an agent and an env factory (CleanRL's `dqn_eval.py` shape), so it runs on fakes in tests
 * and on the NES envs in `arena eval`. Several episodes run side by side with one batched forward
 * pass per step; each episode has its own seed and its own exploration stream, so results do not
 * depend on how many run at once.
 */
import type { Env } from '../../emulators/core.ts';
import { deriveSeed, Rng } from '../../emulators/rng.ts';
import type { Agent } from '../agent.ts';

/** The arena's evaluation conditions. */
export const ARENA_EVAL = {
  stickyActionProbability: 0.25,
  noopMax: 30,
  maxEpisodeFrames: 108_000,
  terminalOnLifeLoss: false,
  epsilon: 0.05,
  /** Base of the fixed seed list: episode i is seeded deriveSeed(seedBase, i) >>> 1 (an int32). */
  seedBase: 20_240_601,
  /**
   * Base of the validation seed list, which training's periodic evaluations play: choosing an
   * agent (the run's best) on these leaves the test list above unseen, so the score the arena
   * reports for the chosen agent is not inflated by the choice.
   */
  validationSeedBase: 19_700_101,
} as const;

/** Which fixed seed list: `test` (the arena's scores) or `validation` (choosing agents). */
export type SeedList = 'test' | 'validation';

/** What the env factory receives: the episode's seed plus the arena's conditions. */
export interface EvalEnvOptions {
  seed: number;
  stickyActionProbability: number;
  noopMax: number;
  maxEpisodeFrames: number;
  terminalOnLifeLoss: boolean;
}

export interface EvaluateOptions {
  agent: Agent;
  makeEnv: (options: EvalEnvOptions) => Env | Promise<Env>;
  episodes?: number;
  /** Overrides the fixed seed list (length must be at least `episodes`). */
  seeds?: readonly number[];
  epsilon?: number;
  /** Episodes played side by side (one batched forward pass per step). */
  parallel?: number;
  /** Mean scores of the game's random and scripted baselines, for the normalised score. */
  baselines?: { random: number; scripted: number };
  /** Overrides of the arena conditions (tests use shorter caps). */
  conditions?: Partial<Omit<EvalEnvOptions, 'seed'>>;
  onEpisode?: (episode: number, score: number) => void;
}

export interface EvalStats {
  episodes: number;
  mean: number;
  /** Sample standard deviation. */
  std: number;
  /** 95% confidence interval of the mean (Student t), [low, high]. */
  ci95: [number, number];
  median: number;
  min: number;
  max: number;
  /** (mean - random) / (scripted - random); null without baselines. */
  normalised: number | null;
}

export interface EvalResult {
  scores: number[];
  lengths: number[];
  seeds: number[];
  stats: EvalStats;
}

/** The arena's fixed seed list (`test`), or the disjoint one training chooses agents on. */
export function evalSeeds(count: number, list: SeedList = 'test'): number[] {
  const base = list === 'test' ? ARENA_EVAL.seedBase : ARENA_EVAL.validationSeedBase;
  return Array.from({ length: count }, (_, i) => deriveSeed(base, i) >>> 1);
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
  const episodes = options.episodes ?? 30;
  const seeds = (options.seeds ?? evalSeeds(episodes)).slice(0, episodes);
  if (seeds.length < episodes) throw new RangeError(`need ${episodes} seeds, got ${seeds.length}`);
  const epsilon = options.epsilon ?? ARENA_EVAL.epsilon;
  const conditions = {
    stickyActionProbability: ARENA_EVAL.stickyActionProbability,
    noopMax: ARENA_EVAL.noopMax,
    maxEpisodeFrames: ARENA_EVAL.maxEpisodeFrames,
    terminalOnLifeLoss: ARENA_EVAL.terminalOnLifeLoss,
    ...options.conditions,
  };
  const width = Math.max(1, Math.min(options.parallel ?? 8, episodes));
  const agent = options.agent;
  const scores = new Array<number>(episodes).fill(0);
  const lengths = new Array<number>(episodes).fill(0);

  interface Slot {
    episode: number;
    env: Env;
    rng: Rng;
    observation: Uint8Array;
  }
  let next = 0;
  const start = async (): Promise<Slot | null> => {
    if (next >= episodes) return null;
    const episode = next++;
    const seed = seeds[episode];
    const env = await options.makeEnv({ seed, ...conditions });
    const { observation } = env.reset({ seed });
    return { episode, env, rng: new Rng(deriveSeed(seed, 'eval-epsilon')), observation };
  };
  const slots: Slot[] = [];
  for (let i = 0; i < width; i++) {
    const slot = await start();
    if (slot) slots.push(slot);
  }
  const obsSize = slots[0]?.observation.length ?? 0;
  let batch = new Uint8Array(width * obsSize);
  const actions = new Int32Array(width);
  let steps = 0;
  while (slots.length > 0) {
    if (batch.length < slots.length * obsSize) batch = new Uint8Array(slots.length * obsSize);
    slots.forEach((s, i) => {
      batch.set(s.observation, i * obsSize);
    });
    agent.actBatch(batch, slots.length, actions);
    for (let i = slots.length - 1; i >= 0; i--) {
      const s = slots[i];
      // The arena's epsilon: drawn per episode, so it does not depend on batching.
      const action = s.rng.next() < epsilon ? s.rng.int(agent.numActions) : actions[i];
      const result = s.env.step(action);
      scores[s.episode] = result.info.score;
      lengths[s.episode]++;
      s.observation = result.observation;
      if (result.terminated || result.truncated) {
        s.env.close();
        options.onEpisode?.(s.episode, scores[s.episode]);
        const replacement = await start();
        if (replacement) slots[i] = replacement;
        else slots.splice(i, 1);
      }
    }
    // Let timers (progress output, server heartbeats) run between steps.
    if (++steps % 256 === 0) await new Promise((r) => setImmediate(r));
  }
  return { scores, lengths, seeds, stats: summarise(scores, options.baselines) };
}

/** Summary statistics of episode scores. */
export function summarise(
  scores: readonly number[],
  baselines?: { random: number; scripted: number },
): EvalStats {
  const n = scores.length;
  if (n === 0) throw new RangeError('no scores to summarise');
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? scores.reduce((a, s) => a + (s - mean) ** 2, 0) / (n - 1) : 0;
  const std = Math.sqrt(variance);
  const half = n > 1 ? tQuantile975(n - 1) * (std / Math.sqrt(n)) : 0;
  const sorted = [...scores].sort((a, b) => a - b);
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const span = baselines ? baselines.scripted - baselines.random : 0;
  return {
    episodes: n,
    mean,
    std,
    ci95: [mean - half, mean + half],
    median,
    min: sorted[0],
    max: sorted[n - 1],
    normalised: baselines && span !== 0 ? (mean - baselines.random) / span : null,
  };
}

// Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom (standard tables).
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/** The 0.975 quantile of Student's t with `df` degrees of freedom. */
export function tQuantile975(df: number): number {
  if (df < 1) throw new RangeError('df must be at least 1');
  if (df <= 30) return T975[Math.round(df) - 1];
  // Cornish-Fisher expansion around the normal quantile; error < 1e-4 for df > 30.
  const z = 1.959964;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/** Evaluation statistics as `eval/...` metrics for the training log. */
export function evalMetrics(stats: EvalStats): Record<string, number | null> {
  return {
    'eval/mean': stats.mean,
    'eval/ci95_low': stats.ci95[0],
    'eval/ci95_high': stats.ci95[1],
    'eval/median': stats.median,
    'eval/min': stats.min,
    'eval/max': stats.max,
    'eval/episodes': stats.episodes,
    'eval/normalised': stats.normalised,
  };
}
