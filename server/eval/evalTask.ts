/**
 * Plays one evaluation task's episodes in the current thread through the arena's episode runner
 * (`agents/evaluation/runEpisodes.ts`) and reports each episode, with its replay, as soon as it
 * ends. Runs inside the evaluation workers; benchmarks and tests may call it directly.
 *
 * Builtin agents get one agent per episode (seeded by it; the scripted ones read its RAM); a
 * model agent is shared by the task's episodes, one batched forward pass per step, with the
 * arena's epsilon drawn per episode. Streaming to spectators (`live`) only reads the episodes'
 * state, so it changes no result.
 */
import type { Agent } from '../../agents/agent.ts';
import { makeBuiltinAgent } from '../../agents/builtin.ts';
import { makeRecordedEnv, type ReplayRecorder } from '../../agents/evaluation/recorder.ts';
import {
  type EpisodePolicy,
  type PlayingEpisode,
  runEpisodes,
} from '../../agents/evaluation/runEpisodes.ts';
import type { Env } from '../../emulators/core.ts';
import { EvaluationStreamer, type LiveEpisodeRooms, type WatchableEpisode } from './spectate.ts';
import type { EpisodeResult, EvalTask } from './task.ts';

export interface RunEvalTaskOptions {
  task: EvalTask;
  onEpisode: (result: EpisodeResult) => void;
  /** Lets spectators watch one running episode at a time (see `spectate.ts`). */
  live?: LiveEpisodeRooms;
}

export async function runEvalTask({ task, onEpisode, live }: RunEvalTaskOptions): Promise<void> {
  const { conditions, agent: spec } = task;
  const recorders = new Map<number, ReplayRecorder>();
  let model: Agent | null = null;
  const policy = async (first: Env<Uint8Array>): Promise<EpisodePolicy> => {
    if (spec.kind === 'model') {
      model = await loadModelAgent(spec.dir, first);
      return { kind: 'shared', agent: model, epsilon: conditions.modelEpsilon };
    }
    return {
      kind: 'perEpisode',
      make: (plan) => {
        const recorder = recorders.get(plan.index) as ReplayRecorder;
        return makeBuiltinAgent(spec.name, {
          entry: recorder.base.entry,
          actions: first.actionSpace.names,
          seed: plan.seed,
          ram: () => recorder.base.machine.ram,
        });
      },
    };
  };
  const streamer = live ? new EvaluationStreamer(live) : null;
  const watchable: WatchableEpisode[] = [];
  try {
    await runEpisodes({
      plans: task.episodes,
      makeEnv: (plan) => {
        const { env, recorder } = makeRecordedEnv({
          game: task.game,
          settings: task.gameSettings,
          conditions,
        });
        recorders.set(plan.index, recorder);
        return env;
      },
      policy,
      observe: streamer
        ? (episodes) => {
            for (let i = watchable.length; i < episodes.length; i++) {
              const episode = episodes[i];
              watchable.push(
                watchableEpisode(
                  episode,
                  recorders.get(episode.plan.index) as ReplayRecorder,
                  model,
                ),
              );
            }
            return streamer.update(watchable);
          }
        : undefined,
      onEpisode: (episode) => {
        const recorder = recorders.get(episode.plan.index) as ReplayRecorder;
        onEpisode({
          index: episode.plan.index,
          seed: episode.plan.seed,
          score: recorder.score,
          frames: recorder.frames,
          truncated: episode.truncated,
          romSha1: recorder.base.entry.sha1,
          gameSeed: recorder.gameSeed,
          actions: recorder.actions(),
        });
      },
    });
  } catch (error) {
    streamer?.stop('error');
    throw error;
  } finally {
    (model as Agent | null)?.dispose?.();
  }
}

/** A running episode as the streamer reads it. */
function watchableEpisode(
  slot: PlayingEpisode,
  recorder: ReplayRecorder,
  model: Agent | null,
): WatchableEpisode {
  const names = slot.env.actionSpace.names;
  const agent = slot.agent ?? model;
  const qValues = agent?.qValues;
  return {
    get index() {
      return slot.plan.index;
    },
    get done() {
      return slot.done;
    },
    get truncated() {
      return slot.truncated;
    },
    get steps() {
      return slot.steps;
    },
    get score() {
      return recorder.score;
    },
    get lives() {
      return slot.info.lives;
    },
    get episodeFrame() {
      return slot.info.episodeFrame;
    },
    get action() {
      const action = slot.info.executedAction ?? 0;
      return names[action] ?? String(action);
    },
    screen: (out) => recorder.base.machine.screenPaletteIndices(out),
    ...(qValues && agent ? { qValues: () => qValues.call(agent, slot.observation) } : {}),
  };
}

/**
 * A greedy DQN agent for the folder (exploration is drawn per episode by the runner, and per
 * side in matches). `env` gives the action names the model must answer in.
 */
export async function loadModelAgent(
  dir: string,
  env: Pick<Env<Uint8Array>, 'actionSpace'>,
): Promise<Agent> {
  // Loaded on demand: TF.js is heavy and builtin-only workers never need it.
  const { DqnAgent } = await import('../../agents/dqn/agent.ts');
  const { loadAgentModel } = await import('../../agents/format/io.ts');
  const { getTf } = await import('../../agents/dqn/tfBackend.ts');
  const { tf } = await getTf({ quiet: true });
  const { model, meta } = await loadAgentModel(dir, { tf, expectedActions: env.actionSpace.names });
  return new DqnAgent({ tf, model, numActions: meta.actions.length, epsilon: 0, name: meta.name });
}
