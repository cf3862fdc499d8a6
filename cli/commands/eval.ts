/**
 * `arena eval --agent DIR --game brick [--episodes 30] [--json]`: scores an agent under the
 * arena's conditions (fixed seeds, no-op starts, sticky actions 0.25, 108,000-frame cap,
 * epsilon 0.05). `--agent random` scores the random baseline. With --json the last line of
 * output is one JSON object: mean, ci95, median, min, max, episodes, normalised, scores.
 */
import type { Command } from 'commander';
import type { Agent } from '../../agents/agent.ts';
import { evalEnvFactory, gameInfo } from '../../agents/dqn/gameEnvs.ts';
import { getTf } from '../../agents/dqn/tfBackend.ts';
import { evaluateAgent } from '../../agents/evaluation/evaluate.ts';
import { loadDqnAgent } from '../../agents/format/io.ts';
import { RandomAgent } from '../../agents/randomAgent.ts';
import { UserError } from '../../emulators/errors.ts';
import { settingOption } from './options.ts';

export function register(program: Command): void {
  program
    .command('eval')
    .description("score an agent under the arena's evaluation conditions")
    .requiredOption('--agent <dir>', "agent folder, or 'random'")
    .option('--game <id>', 'game id', 'brick')
    .option('--episodes <n>', 'episodes (fixed seed list)', '30')
    .option('--parallel <n>', 'episodes played side by side', '8')
    .option('--backend <name>', 'tfjs backend: tensorflow, fast-cpu or cpu')
    .option(
      '--setting <name=value>',
      "a game setting, e.g. opponentLevel=easy (repeatable); normalised scores need the baselines' settings",
      settingOption,
      {},
    )
    .option('--json', 'print the result as one JSON object on the last line')
    .action(
      async (opts: {
        agent: string;
        game: string;
        episodes: string;
        parallel: string;
        backend?: string;
        setting: Record<string, string>;
        json?: boolean;
      }) => {
        const episodes = positiveInt(opts.episodes, '--episodes');
        const game = gameInfo(opts.game, opts.setting);
        let agent: Agent;
        if (opts.agent === 'random') agent = new RandomAgent(game.actions.length, 0);
        else {
          const { tf } = await getTf({ backend: opts.backend as never, quiet: opts.json });
          ({ agent } = await loadDqnAgent(opts.agent, {
            tf,
            expectedActions: game.actions,
            expectedGame: game.id,
          }));
        }
        const result = await evaluateAgent({
          agent,
          makeEnv: evalEnvFactory(game.id, 4, opts.setting),
          episodes,
          parallel: positiveInt(opts.parallel, '--parallel'),
          baselines: game.baselines,
          onEpisode: opts.json
            ? undefined
            : (i, score) => console.error(`episode ${i + 1}/${episodes}: ${score}`),
        });
        agent.dispose?.();
        const s = result.stats;
        if (opts.json) {
          console.log(JSON.stringify({ ...s, ci95: s.ci95, scores: result.scores }));
          return;
        }
        const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
        console.log(`${game.id}: ${episodes} episodes`);
        console.log(`  mean       ${f(s.mean)}`);
        console.log(`  ci95       [${f(s.ci95[0])}, ${f(s.ci95[1])}]`);
        console.log(`  median     ${f(s.median)}`);
        console.log(`  min        ${f(s.min)}`);
        console.log(`  max        ${f(s.max)}`);
        console.log(
          `  normalised ${s.normalised === null ? 'n/a (no baselines in the manifest)' : s.normalised.toFixed(3)}`,
        );
      },
    );
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UserError(`${name} must be a positive integer, got ${value}`, 'BAD_OPTION');
  return n;
}
