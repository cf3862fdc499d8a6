/**
 * A training run's checkpoint as an agent folder (`arena agent export`): the online network at the
 * checkpoint's step (or, with `average`, the run's weight average), the agent.json the run would
 * have written at that step, and the training log up to that step. For a run that stopped before
 * it wrote its agent, or to keep a point of a run other than its last and best agents.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../emulators/errors.ts';
import { checkAgentDir } from '../format/check.ts';
import { dqnAgentMeta } from '../format/dqnMeta.ts';
import { saveAgentDir } from '../format/io.ts';
import {
  checkpointName,
  fileSize,
  type LoadedCheckpoint,
  listCheckpointSteps,
  readCheckpoint,
  readLatestCheckpoint,
} from './checkpoint.ts';
import { parseDqnConfig } from './config.ts';
import { gameInfo } from './gameEnvs.ts';
import { buildQNetwork } from './network.ts';
import { getTf, type TfHandle } from './tfBackend.ts';
import type { SavedState } from './train.ts';

export interface ExportOptions {
  /** The run folder `arena train` made (it holds `checkpoints/` and `training-log.jsonl`). */
  runDir: string;
  /** The checkpoint's step; default the latest. */
  step?: number;
  /** The agent folder to write (replaced if it exists). */
  out: string;
  /** Export the run's weight average (a run trained with averageDecay > 0), not the online network. */
  average?: boolean;
  tf?: TfHandle;
}

export async function exportCheckpointAgent(
  options: ExportOptions,
): Promise<{ step: number; dir: string }> {
  const root = join(options.runDir, 'checkpoints');
  const kept = await listCheckpointSteps(root);
  if (kept.length === 0) {
    throw new UserError(`no checkpoints in ${options.runDir}`, 'NO_CHECKPOINT');
  }
  let checkpoint: LoadedCheckpoint | null;
  if (options.step === undefined) {
    checkpoint = await readLatestCheckpoint(root);
  } else if (kept.includes(options.step)) {
    checkpoint = await readCheckpoint(join(root, checkpointName(options.step)));
  } else {
    throw new UserError(
      `no checkpoint at step ${options.step} in ${options.runDir}; kept: ${kept.join(', ')}`,
      'NO_CHECKPOINT',
    );
  }
  if (!checkpoint) throw new UserError(`no checkpoints in ${options.runDir}`, 'NO_CHECKPOINT');

  const saved = checkpoint.state as Partial<SavedState>;
  if (typeof saved.runId !== 'string' || typeof saved.logBytes !== 'number' || !saved.config) {
    throw new UserError(`${checkpoint.dir} is not a DQN training checkpoint`, 'BAD_CHECKPOINT');
  }
  const cfg = parseDqnConfig(saved.config);
  const group = options.average ? 'average' : 'online';
  const networkWeights = checkpoint.tensors.find((g) => g.name === group);
  if (!networkWeights) {
    throw new UserError(
      options.average
        ? `${checkpoint.dir} has no weight average (the run was trained without --average-decay)`
        : `${checkpoint.dir} has no online network`,
      'BAD_CHECKPOINT',
    );
  }

  const { tf, name: currentBackend } = options.tf ?? (await getTf({ quiet: true }));
  const game = gameInfo(cfg.game, cfg.settings);
  const model = buildQNetwork(tf, {
    net: cfg.net,
    numActions: game.actions.length,
    dueling: cfg.dueling,
  });
  const shapes = model.getWeights().map((w) => w.shape.join('x'));
  if (shapes.join() !== networkWeights.shapes.map((s) => s.join('x')).join()) {
    throw new UserError(
      `${checkpoint.dir}: its ${options.average ? 'weight average' : 'online network'} does not match a ${cfg.net} network for ${cfg.game}`,
      'BAD_CHECKPOINT',
    );
  }
  const weights = networkWeights.arrays.map((a, i) => tf.tensor(a, networkWeights.shapes[i]));
  model.setWeights(weights);
  tf.dispose(weights);

  const logFile = join(options.runDir, 'training-log.jsonl');
  const hasLog = (await fileSize(logFile)) >= saved.logBytes && saved.logBytes > 0;
  try {
    await saveAgentDir(options.out, {
      tf,
      model,
      ...(hasLog ? { trainingLog: logFile, trainingLogBytes: saved.logBytes } : {}),
      meta: dqnAgentMeta({
        cfg,
        runId: saved.runId,
        step: checkpoint.step,
        actions: game.actions,
        parameters: model.countParams(),
        backend: (await trainingBackend(logFile)) ?? currentBackend,
        weightAverage: options.average
          ? { decay: cfg.averageDecay, updates: saved.run?.updates ?? 0 }
          : undefined,
      }),
    });
  } finally {
    model.dispose();
  }
  await checkAgentDir(options.out, { expectedActions: game.actions, expectedGame: game.id });
  return { step: checkpoint.step, dir: options.out };
}

/** The backend the run trained on, from its log's config line. */
async function trainingBackend(logFile: string): Promise<string | undefined> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  try {
    const first = JSON.parse(text.slice(0, text.indexOf('\n')));
    return first?.type === 'config' && typeof first.backend === 'string'
      ? first.backend
      : undefined;
  } catch {
    return undefined;
  }
}
