/**
 * A freshly initialised DQN agent folder (the `small` Q-network of agents/dqn/network.ts, seeded,
 * untrained) for tests that need a model agent with real Q-values without a trained one.
 */
import { buildQNetwork } from '../../agents/dqn/network.ts';
import { getTf } from '../../agents/dqn/tfBackend.ts';
import { saveAgentDir } from '../../agents/format/io.ts';
import { findEntry } from '../../emulators/manifest/index.ts';

export async function makeSmallDqnAgent(
  dir: string,
  options: { game?: string; name?: string; seed?: number } = {},
): Promise<string> {
  const game = options.game ?? 'brick';
  const actions = [...findEntry(game).actions];
  // The plain cpu backend keeps native code out of the test process; saving needs no speed.
  const { tf } = await getTf({ quiet: true, backend: 'cpu' });
  const model = buildQNetwork(tf, {
    net: 'small',
    numActions: actions.length,
    seed: options.seed ?? 7,
  });
  await saveAgentDir(dir, {
    tf,
    model,
    meta: {
      name: options.name ?? 'dqn-small-untrained',
      game,
      actions,
      observation: {
        frameStack: 4,
        height: 84,
        width: 84,
        layout: 'NHWC',
        pixels: 'grayscale-0-255',
        frameSkip: 4,
      },
      network: { kind: 'small', dueling: false, parameters: model.countParams() },
      training: { algorithm: 'dqn', steps: 0, frames: 0 },
      backend: 'cpu',
      licence: 'MIT',
    },
  });
  model.dispose();
  return dir;
}
