/**
 * Plays one task's episodes in the current thread, side by side in lockstep, and reports each
 * episode as soon as it ends. Runs inside the evaluation workers; benchmarks and tests may call
 * it directly.
 *
 * Every episode's randomness depends only on its own seed (env reset seed, builtin agent seed,
 * the model agent's exploration stream), so results do not depend on how episodes are grouped
 * into tasks or workers. Streaming to spectators (`live`) only reads the episodes' state, so it
 * changes no result either.
 */
import type { Agent } from '../../agents/agent.ts';
import { makeBuiltinAgent } from '../../agents/builtin.ts';
import type { Env, StepInfo } from '../../emulators/core.ts';
import { makeNesEnv } from '../../emulators/index.ts';
import { deriveSeed, Rng } from '../../emulators/rng.ts';
import { atariPreprocessing } from '../../emulators/wrappers/index.ts';
import { ReplayRecorder } from './recorder.ts';
import { EvaluationStreamer, type LiveEpisodeRooms, type WatchableEpisode } from './spectate.ts';
import type { EpisodeResult, EvalTask } from './task.ts';

interface Slot {
  index: number;
  seed: number;
  env: Env<Uint8Array>;
  recorder: ReplayRecorder;
  /** Builtin agents: one per episode. Model agents share one and use `explore` instead. */
  agent: Agent | null;
  explore: Rng;
  observation: Uint8Array;
  done: boolean;
  truncated: boolean;
  steps: number;
  info: StepInfo;
}

export interface RunEpisodesOptions {
  task: EvalTask;
  onEpisode: (result: EpisodeResult) => void;
  /** Lets spectators watch one running episode at a time (see `spectate.ts`). */
  live?: LiveEpisodeRooms;
}

export async function runEpisodes({ task, onEpisode, live }: RunEpisodesOptions): Promise<void> {
  const { conditions } = task;
  const slots: Slot[] = task.episodes.map(({ index, seed }) => {
    const base = makeNesEnv({ game: task.game, settings: task.gameSettings });
    const recorder = new ReplayRecorder(base);
    const env = atariPreprocessing(recorder, {
      stickyActionProbability: conditions.stickyActionProbability,
      noopMax: conditions.noopMax,
      maxEpisodeFrames: conditions.maxEpisodeFrames,
    });
    const agent =
      task.agent.kind === 'builtin'
        ? makeBuiltinAgent(task.agent.name, {
            entry: base.entry,
            actions: env.actionSpace.names,
            seed,
            ram: () => base.machine.ram,
          })
        : null;
    const { observation, info } = env.reset({ seed });
    return {
      index,
      seed,
      env,
      recorder,
      agent,
      explore: new Rng(deriveSeed(seed, 'epsilon')),
      observation,
      done: false,
      truncated: false,
      steps: 0,
      info,
    };
  });
  if (slots.length === 0) return;
  const model =
    task.agent.kind === 'model' ? await loadModelAgent(task.agent.dir, slots[0].env) : null;
  const romSha1 = slots[0].recorder.base.entry.sha1;
  const numActions = slots[0].env.actionSpace.n;
  const obsSize = slots[0].observation.length;
  const batch = new Uint8Array(obsSize * slots.length);
  const batchActions = new Int32Array(slots.length);
  const actions = new Int32Array(slots.length);
  const greedy: number[] = [];
  const streamer = live ? new EvaluationStreamer(live) : null;
  const watchable = streamer ? slots.map((slot) => watchableEpisode(slot, model)) : [];
  const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));
  try {
    if (streamer?.update(watchable)) await yieldNow();
    let running = slots.length;
    while (running > 0) {
      greedy.length = 0;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        if (slot.done) continue;
        if (slot.agent) actions[i] = slot.agent.act(slot.observation);
        else if (slot.explore.next() < conditions.modelEpsilon)
          actions[i] = slot.explore.int(numActions);
        else {
          batch.set(slot.observation, greedy.length * obsSize);
          greedy.push(i);
        }
      }
      if (model && greedy.length > 0) {
        model.actBatch(batch, greedy.length, batchActions);
        for (let k = 0; k < greedy.length; k++) actions[greedy[k]] = batchActions[k];
      }
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        if (slot.done) continue;
        const step = slot.env.step(actions[i]);
        slot.observation = step.observation;
        slot.info = step.info;
        slot.steps++;
        if (!step.terminated && !step.truncated) continue;
        slot.done = true;
        slot.truncated = !step.terminated;
        running--;
        onEpisode({
          index: slot.index,
          seed: slot.seed,
          score: slot.recorder.score,
          frames: slot.recorder.frames,
          truncated: !step.terminated,
          romSha1,
          gameSeed: slot.recorder.gameSeed,
          actions: slot.recorder.actions(),
        });
        slot.env.close();
        slot.agent?.dispose?.();
      }
      if (streamer?.update(watchable)) await yieldNow();
    }
  } catch (error) {
    streamer?.stop('error');
    throw error;
  } finally {
    model?.dispose?.();
  }
}

/** A slot as the streamer reads it. */
function watchableEpisode(slot: Slot, model: Agent | null): WatchableEpisode {
  const names = slot.env.actionSpace.names;
  const agent = slot.agent ?? model;
  const qValues = agent?.qValues;
  return {
    get index() {
      return slot.index;
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
      return slot.recorder.score;
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
    screen: (out) => slot.recorder.base.machine.screenPaletteIndices(out),
    ...(qValues && agent ? { qValues: () => qValues.call(agent, slot.observation) } : {}),
  };
}

/**
 * A greedy DQN agent for the folder (exploration is drawn per episode in the loop above, and per
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
