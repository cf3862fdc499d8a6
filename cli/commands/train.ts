/**
 * `arena train --game brick [--steps N] [--net nature|small] [...]`: DQN training. Every field of
 * `DqnConfig` is a flag (kebab-case; booleans also have a --no- form), built from the config
 * schema so the two never drift apart. `--recipe NAME|FILE` starts from a recipe's options
 * (agents/dqn/recipes/), which the flags beside it override. `--resume RUN_DIR` continues a run
 * from its checkpoint. docs/training.md describes every option.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { readLatestCheckpointState } from '../../agents/dqn/checkpoint.ts';
import { configFlags, type DqnConfigInput } from '../../agents/dqn/config.ts';
import { evalEnvFactory, gameInfo, trainVectorEnv } from '../../agents/dqn/gameEnvs.ts';
import { loadRecipe, recipeNames, withOverrides } from '../../agents/dqn/recipe.ts';
import { getTf } from '../../agents/dqn/tfBackend.ts';
import { trainDqn } from '../../agents/dqn/train.ts';
import { evaluateOnValidationSeeds } from '../../agents/evaluation/evaluate.ts';
import { UserError } from '../../emulators/errors.ts';
import { settingOption } from './options.ts';

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a DQN agent from pixels (Mnih et al. 2015, with Double DQN)')
    .option(
      '--recipe <name|file>',
      `start from a recipe's options, which the other flags override: ${recipeNames().join(', ')} ` +
        '(agents/dqn/recipes/) or a path to a .json file',
    )
    .option('--steps <n>', 'alias of --total-steps', parseNumber)
    .option('--resume <runDir>', 'continue the run in this folder from its latest checkpoint')
    .option(
      '--backend <name>',
      'tfjs backend: tensorflow, fast-cpu or cpu (default: fastest available)',
    )
    .option(
      '--threads <n>',
      'math threads for the learner (fast-cpu backend); default 1 with more than one env, ' +
        'whose worker threads emulate on the other cores, else all cores',
      parseNumber,
    )
    .option('--licence <spdx>', 'licence recorded in the agent folder', 'MIT')
    .option('--no-progress', 'no live progress bar')
    .option(
      '--minutes <n>',
      'wall-clock budget: stop after this many minutes and write the agent (resume continues)',
      parseNumber,
    )
    .option(
      '--setting <name=value>',
      'a game setting, e.g. opponentLevel=easy (repeatable)',
      settingOption,
    );
  for (const flag of configFlags()) {
    const help =
      flag.default === undefined
        ? flag.description
        : `${flag.description} (default ${JSON.stringify(flag.default)})`;
    if (flag.type === 'boolean') {
      cmd.option(`--${flag.flag}`, help);
      cmd.option(`--no-${flag.flag}`, `turn off --${flag.flag}`);
    } else if (flag.type === 'string') {
      const suffix = flag.choices ? ` [${flag.choices.join('|')}]` : '';
      cmd.option(`--${flag.flag} <value>`, `${help}${suffix}`);
    } else {
      cmd.option(`--${flag.flag} <n>`, help, parseNumber);
    }
  }
  cmd.action(async (opts: Record<string, unknown>) => {
    const flags: Record<string, unknown> = {};
    for (const flag of configFlags())
      if (opts[flag.key] !== undefined) flags[flag.key] = opts[flag.key];
    if (opts.steps !== undefined) flags.totalSteps = opts.steps;
    if (opts.setting !== undefined) flags.settings = opts.setting;
    if (opts.recipe !== undefined && opts.resume !== undefined)
      throw new UserError(
        '--recipe cannot be combined with --resume: a resumed run keeps its own options',
        'BAD_OPTION',
      );
    const config =
      opts.recipe === undefined
        ? (flags as DqnConfigInput)
        : withOverrides(loadRecipe(String(opts.recipe)), flags as DqnConfigInput);
    if (opts.minutes !== undefined && !(Number(opts.minutes) > 0))
      throw new UserError(`--minutes must be positive, got ${opts.minutes}`, 'BAD_OPTION');
    // One learner thread by default when env workers emulate beside it: more math threads
    // compete with the workers for the cores and the run gets slower (docs/benchmarks.md,
    // measurements behind defaults).
    const resumed = opts.resume
      ? await readLatestCheckpointState(join(String(opts.resume), 'checkpoints'))
      : null;
    const numEnvs = Number(
      (resumed?.config as { numEnvs?: number } | undefined)?.numEnvs ?? config.numEnvs ?? 1,
    );
    const threads =
      opts.threads === undefined ? (numEnvs > 1 ? 1 : undefined) : Number(opts.threads);
    if (threads !== undefined && (!Number.isInteger(threads) || threads < 1))
      throw new UserError(`--threads must be a positive integer, got ${threads}`, 'BAD_OPTION');
    const tfHandle = await getTf({ backend: opts.backend as never, threads });
    const result = await trainDqn({
      config,
      resumeDir: opts.resume as string | undefined,
      makeVectorEnv: trainVectorEnv,
      // The config passed here is the run's own (a resumed run keeps its game and settings).
      evaluate: async (agent, _step, cfg) => {
        const makeEnv = evalEnvFactory(cfg.game, cfg.frameSkip, cfg.settings);
        const { baselines } = gameInfo(cfg.game, cfg.settings);
        // The best agent is chosen on the validation seeds; `arena eval` scores it on the
        // arena's test seeds, which training never plays.
        const episodes = cfg.evalEpisodes;
        return (await evaluateOnValidationSeeds({ agent, makeEnv, episodes, baselines })).stats;
      },
      progress: opts.progress !== false && process.stderr.isTTY,
      maxSeconds: opts.minutes === undefined ? undefined : Number(opts.minutes) * 60,
      tf: tfHandle,
      licence: String(opts.licence),
    });
    console.log(
      `run ${result.runId}: ${result.steps} steps, ${result.updates} updates, ${result.episodes} episodes`,
    );
    if (result.agentDir) console.log(`agent: ${result.agentDir}`);
    if (result.averageAgentDir) console.log(`weight-averaged agent: ${result.averageAgentDir}`);
    if (result.bestAgentDir && result.best)
      console.log(
        `best agent: ${result.bestAgentDir} (step ${result.best.step}, ` +
          `validation mean ${result.best.mean.toFixed(1)})`,
      );
  });
}

function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new UserError(`not a number: ${value}`, 'BAD_OPTION');
  return n;
}
