/**
 * The `arena` command line. Each command lives in its own module under `commands/` and exports
 * `register(program)`; this file only assembles them, so adding a command touches one list.
 */
import { Command, CommanderError } from 'commander';
import { commandModules } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command('arena')
    .description(
      'Arcade Arena: agents that learn NES games from pixels, and the arena they compete in',
    )
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  for (const register of commandModules) register(program);
  return program;
}

/** Runs the CLI; a thrown `UserError` prints its message alone and exits 1 (no stack trace). */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof Error && error.name === 'UserError') {
      console.error(`arena: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
