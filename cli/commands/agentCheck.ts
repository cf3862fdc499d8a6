/** `arena agent check DIR [--game id]`: validates an agent folder exactly as the server will. */
import type { Command } from 'commander';
import { gameInfo } from '../../agents/dqn/gameEnvs.ts';
import { checkAgentDir } from '../../agents/format/check.ts';

/** The `arena agent` command group, made by whichever of its subcommands registers first. */
export function agentCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'agent') ??
    program.command('agent').description('agent folders')
  );
}

export function register(program: Command): void {
  agentCommand(program)
    .command('check <dir>')
    .description('validate an agent folder (files, sizes, layers, shapes, action set)')
    .option(
      '--game <id>',
      "check against this game's action set (default: the game agent.json names)",
    )
    .action(async (dir: string, opts: { game?: string }) => {
      let checked = await checkAgentDir(dir, {});
      const game = gameInfo(opts.game ?? checked.meta.game);
      checked = await checkAgentDir(dir, { expectedActions: game.actions, expectedGame: game.id });
      const { meta } = checked;
      console.log(`ok: ${meta.name} for ${meta.game}`);
      console.log(`  actions  ${meta.actions.join(', ')}`);
      console.log(
        `  network  ${meta.network.kind}${meta.network.dueling ? ' (dueling)' : ''}, ${meta.network.parameters} parameters`,
      );
      console.log(
        `  training ${meta.training.algorithm}, ${meta.training.steps} steps, ${meta.training.frames} frames`,
      );
      console.log(`  files    ${checked.files.join(', ')}`);
    });
}
