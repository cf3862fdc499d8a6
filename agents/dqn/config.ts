/**
 * Every DQN hyperparameter as one typed, validated `DqnConfig` (after CleanRL's `Args`). Each field
 * carries its default and, in its description, the values of the Nature paper (Mnih et al. 2015)
 * and CleanRL's `dqn_atari.py` where those differ. The CLI builds its flags from this schema
 * (`configFlags`), so a field added here is a flag of `arena train` at once.
 *
 * Units: a "step" is one agent decision in one environment (frameSkip emulator frames); with
 * numEnvs > 1, one vector step counts numEnvs steps (CleanRL's global_step).
 */
import { z } from 'zod';
import { formatZodError, UserError } from '../../emulators/errors.ts';

const int = () => z.number().int();

export const dqnConfigSchema = z
  .object({
    game: z.string().min(1).default('brick').describe('game id from the ROM manifest'),
    seed: int()
      .min(0)
      .max(2 ** 31 - 1024)
      .default(1)
      .describe('seed of the run (env i gets seed + i)'),
    totalSteps: int()
      .min(1)
      .default(10_000_000)
      .describe('agent steps to train for (CleanRL 10M; Nature 50M frames = 12.5M steps)'),
    net: z
      .enum(['nature', 'small'])
      .default('nature')
      .describe('Q-network: nature (Mnih 2015) or small (fast experiments)'),
    dueling: z
      .boolean()
      .default(false)
      .describe('dueling value/advantage heads (Wang 2016; Nature/CleanRL: off)'),
    numEnvs: int()
      .min(1)
      .max(256)
      .default(1)
      .describe('parallel environments acting with one batched forward pass (CleanRL 1)'),
    learningRate: z
      .number()
      .positive()
      .default(1e-4)
      .describe('Adam step size (CleanRL 1e-4; Nature used RMSProp at 2.5e-4)'),
    finalLearningRate: z
      .number()
      .positive()
      .optional()
      .describe(
        'Adam step size reached after a linear decay from learningRate over ' +
          'learningRateDecaySteps, then held; unset = constant (Nature/CleanRL: constant)',
      ),
    learningRateDecaySteps: int()
      .min(1)
      .optional()
      .describe('steps over which the step size decays to finalLearningRate (default totalSteps)'),
    adamEpsilon: z
      .number()
      .positive()
      .default(1e-8)
      .describe('Adam epsilon (CleanRL/PyTorch 1e-8; Dopamine 1.5e-4)'),
    bufferSize: int()
      .min(16)
      .default(1_000_000)
      .describe('replay capacity in transitions (Nature/CleanRL 1M)'),
    gamma: z.number().min(0).max(1).default(0.99).describe('discount factor (Nature/CleanRL 0.99)'),
    tau: z
      .number()
      .gt(0)
      .max(1)
      .default(1)
      .describe('target update rate; 1 = hard copy (CleanRL 1.0)'),
    targetUpdateInterval: int()
      .min(1)
      .default(1000)
      .describe('steps between target network updates (CleanRL 1000; Nature 10,000)'),
    batchSize: int()
      .min(1)
      .default(32)
      .describe('transitions per gradient step (Nature/CleanRL 32)'),
    startEpsilon: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe('exploration at the start (Nature/CleanRL 1.0)'),
    endEpsilon: z
      .number()
      .min(0)
      .max(1)
      .default(0.01)
      .describe('exploration after annealing (CleanRL 0.01; Nature 0.1)'),
    explorationFraction: z
      .number()
      .gt(0)
      .max(1)
      .default(0.1)
      .describe(
        'fraction of totalSteps over which epsilon anneals linearly (CleanRL 0.1; Nature 1M steps)',
      ),
    learningStarts: int()
      .min(0)
      .default(80_000)
      .describe('steps of pure acting before learning (CleanRL 80,000; Nature 50,000)'),
    trainFrequency: int()
      .min(1)
      .default(4)
      .describe('steps between gradient updates (Nature/CleanRL 4)'),
    doubleDqn: z
      .boolean()
      .default(true)
      .describe('Double DQN targets (van Hasselt 2016; Nature/CleanRL: off)'),
    huberDelta: z
      .number()
      .positive()
      .default(1)
      .describe('Huber loss threshold (Nature error clipping = 1; CleanRL uses MSE)'),
    nStep: int().min(1).max(20).default(1).describe('n-step returns (Nature/CleanRL 1; Rainbow 3)'),
    targetEpsilon: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe(
        'value of the next state under epsilon-greedy play with this epsilon: (1 - e) * the ' +
          'greedy (or soft) value + e * the mean over actions (expected SARSA), so the agent ' +
          "learns to play well with the evaluation's random actions (arena: 0.05); 0 = greedy " +
          '(Nature/CleanRL)',
      ),
    lowerBoundReturns: z
      .boolean()
      .default(false)
      .describe(
        'targets never below the return the episode actually got: y = max(y, G_t) once it ' +
          'terminated (Monte Carlo lower bound; He 2017, Tang 2020; Nature/CleanRL: off)',
      ),
    munchausen: z
      .boolean()
      .default(false)
      .describe(
        'Munchausen targets (Vieillard 2020): soft target-network values plus the scaled ' +
          'log-policy of the action taken; replaces Double DQN (Nature/CleanRL: off)',
      ),
    munchausenAlpha: z
      .number()
      .min(0)
      .max(1)
      .default(0.9)
      .describe('Munchausen scale of the log-policy bonus (Vieillard 2020: 0.9)'),
    munchausenTau: z
      .number()
      .positive()
      .default(0.03)
      .describe('Munchausen softmax temperature (Vieillard 2020: 0.03)'),
    munchausenClip: z
      .number()
      .max(0)
      .default(-1)
      .describe('lower clip of tau * log-policy in the bonus (Vieillard 2020: -1)'),
    averageDecay: z
      .number()
      .min(0)
      .lt(1)
      .default(0)
      .describe(
        'decay per gradient step of an exponential moving average of the online weights, kept ' +
          'beside training, evaluated with it and written as <run>/average (Polyak averaging; ' +
          'weight averaging in deep RL: Nikishin 2018); 0 = off (Nature/CleanRL: off)',
      ),
    augmentShift: int()
      .min(0)
      .max(16)
      .default(0)
      .describe(
        'random-shift augmentation of replay batches: each sampled observation moves up to this ' +
          'many pixels in x and y, edges repeated (DrQ, Kostrikov 2020: 4); 0 = off ' +
          '(Nature/CleanRL: off)',
      ),
    prioritized: z
      .boolean()
      .default(false)
      .describe('proportional prioritised replay (Schaul 2016; Nature/CleanRL: off)'),
    priorityAlpha: z
      .number()
      .min(0)
      .max(1)
      .default(0.6)
      .describe('priority exponent (Schaul 2016: 0.6)'),
    priorityBeta: z
      .number()
      .min(0)
      .max(1)
      .default(0.4)
      .describe('initial importance-sampling exponent, annealed to 1 (Schaul 2016: 0.4)'),
    priorityEpsilon: z
      .number()
      .positive()
      .default(1e-6)
      .describe('added to |TD error| so no priority is 0'),
    clipRewards: z
      .boolean()
      .default(true)
      .describe('train on sign(reward) (Nature/CleanRL: on); logs keep raw returns'),
    frameSkip: int().min(1).max(32).default(4).describe('emulator frames per step (Nature/ALE 4)'),
    stickyActionProbability: z
      .number()
      .min(0)
      .max(0.99)
      .default(0.25)
      .describe('sticky actions while training (Machado 2018: 0.25; Nature/CleanRL 0)'),
    noopMax: int()
      .min(0)
      .max(1000)
      .default(30)
      .describe('most random no-ops after a reset (Nature/CleanRL 30)'),
    maxEpisodeFrames: int()
      .min(1)
      .default(108_000)
      .describe('frame cap of a training episode (Machado 2018: 108,000)'),
    terminalOnLifeLoss: z
      .boolean()
      .default(true)
      .describe('end training episodes on a life lost (Nature/CleanRL: on)'),
    settings: z
      .record(z.string().regex(/^\w+$/), z.string().regex(/^\w+$/))
      .default({})
      .describe("game settings from the manifest, e.g. Duel's opponentLevel=easy (CLI: --setting)"),
    evalEvery: int()
      .min(0)
      .default(250_000)
      .describe('steps between evaluations under arena conditions; 0 = never'),
    evalEpisodes: int().min(1).default(10).describe('episodes per evaluation during training'),
    keepBestAgent: z
      .boolean()
      .default(true)
      .describe(
        'also write the agent of the best periodic evaluation (played on the validation seeds) ' +
          'to <run>/best (Stable-Baselines3 EvalCallback; Nature/CleanRL: last agent only)',
      ),
    checkpointEvery: int()
      .min(0)
      .default(100_000)
      .describe('steps between checkpoints; 0 = only at the end'),
    checkpointReplay: z
      .boolean()
      .default(true)
      .describe('store the replay buffer in checkpoints (exact resume; ~7 GB at 1M transitions)'),
    logEvery: int().min(1).default(1000).describe('steps between training log lines'),
    runsDir: z.string().min(1).default('runs').describe('folder that holds one folder per run'),
  })
  .strict();

export type DqnConfig = z.infer<typeof dqnConfigSchema>;
export type DqnConfigInput = z.input<typeof dqnConfigSchema>;

/** Validates a partial config and fills the defaults; bad values raise a UserError naming them. */
export function parseDqnConfig(input: DqnConfigInput = {}): DqnConfig {
  const parsed = dqnConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new UserError(`bad DQN config: ${formatZodError(parsed.error, 'config')}`, 'BAD_CONFIG');
  }
  const config = parsed.data;
  if (config.endEpsilon > config.startEpsilon) {
    throw new UserError('bad DQN config: endEpsilon must not exceed startEpsilon', 'BAD_CONFIG');
  }
  return config;
}

export interface ConfigFlag {
  key: keyof DqnConfig;
  /** kebab-case flag name, e.g. `learning-rate`. */
  flag: string;
  type: 'number' | 'integer' | 'boolean' | 'string';
  choices?: string[];
  description: string;
  default: unknown;
}

/** One entry per config field, for building CLI flags. */
export function configFlags(): ConfigFlag[] {
  const json = z.toJSONSchema(dqnConfigSchema, { io: 'input' }) as {
    properties: Record<
      string,
      { type?: string; enum?: string[]; description?: string; default?: unknown }
    >;
  };
  // Scalar fields only: the settings map has its own repeatable CLI option (--setting NAME=VALUE).
  return Object.entries(json.properties)
    .filter(([, prop]) => prop.type !== 'object')
    .map(([key, prop]) => ({
      key: key as keyof DqnConfig,
      flag: key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
      type: prop.enum ? 'string' : ((prop.type ?? 'string') as ConfigFlag['type']),
      choices: prop.enum,
      description: prop.description ?? '',
      default: prop.default,
    }));
}

/** The config as an aligned two-column table, printed at the start of a run (as CleanRL does). */
export function formatConfig(cfg: DqnConfig): string {
  return Object.entries(cfg)
    .map(([k, v]) => `  ${k.padEnd(24)} ${JSON.stringify(v)}`)
    .join('\n');
}
