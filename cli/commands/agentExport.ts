/**
 * `arena agent export RUN_DIR --out DIR [--step N] [--average]`: a training checkpoint as an agent
 * folder.
 */
import type { Command } from 'commander';
import { exportCheckpointAgent } from '../../agents/dqn/exportCheckpoint.ts';
import { agentCommand } from './agentCheck.ts';
import { integerOption } from './options.ts';

export function register(program: Command): void {
  agentCommand(program)
    .command('export <runDir>')
    .description(
      "write a training run's checkpoint as an agent folder (the network, agent.json and the training log up to that step)",
    )
    .requiredOption('--out <dir>', 'the agent folder to write (replaced if it exists)')
    .option('--step <n>', "the checkpoint's step (default: the latest kept)", integerOption(0))
    .option(
      '--average',
      "the run's weight average (trained with --average-decay) instead of the online network",
    )
    .action(async (runDir: string, opts: { out: string; step?: number; average?: boolean }) => {
      const { step, dir } = await exportCheckpointAgent({
        runDir,
        out: opts.out,
        step: opts.step,
        average: opts.average === true,
      });
      console.log(`agent: ${dir} (step ${step})`);
    });
}
