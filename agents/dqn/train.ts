/**
 * The DQN training loop (Mnih et al. 2015, "Human-level control through deep reinforcement
 * learning"), readable top to bottom like CleanRL's `dqn_atari.py`: config, seeding, networks,
 * replay, then the loop (act with one batched forward pass across the vector env, store, learn,
 * sync the target). The parts it calls live beside it: the options in config.ts, the targets in
 * targets.ts, the gradient step in update.ts, the schedules in schedules.ts, checkpoints in
 * checkpoint.ts and agent.json in agents/format/dqnMeta.ts.
 * On by default beyond the Nature recipe: Double DQN targets (van Hasselt et al. 2016) and Adam.
 * Options: dueling heads, n-step returns, prioritised replay, Monte Carlo lower-bounded targets,
 * Munchausen targets. docs/training.md describes every option for users.
 *
 * Outputs, under `<runsDir>/<runId>/` with runId `game__dqn-net__seed__unixtime`:
 * - `training-log.jsonl`: a `config` line, then `episode`, `train` and `eval` lines with metrics
 *   named `charts/...`, `losses/...`, `eval/...`;
 * - `checkpoints/`: atomic checkpoints (weights, target, Adam state, counters, RNG states,
 *   replay buffer, env state), so `resumeDir` continues bit for bit when the vector env can hand
 *   over its state (`ResumableVectorEnv`); otherwise the envs restart their episodes from a
 *   seed derived from the step and everything else continues as it was;
 * - `agent/`: the trained agent in the submission format (`agents/format`).
 */
import { appendFile, mkdir, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { UserError } from '../../emulators/errors.ts';
import { deriveSeed, Rng } from '../../emulators/rng.ts';
import type { VectorEnv, VectorStepResult } from '../../emulators/vector/vectorEnv.ts';
import type { Agent } from '../agent.ts';
import { nativeStackGather } from '../backend/index.ts';
import { type EvalStats, evalMetrics } from '../evaluation/statistics.ts';
import { type AgentSelection, dqnAgentMeta } from '../format/dqnMeta.ts';
import { saveAgentDir } from '../format/io.ts';
import { Adam } from './adam.ts';
import { DqnAgent } from './agent.ts';
import { RandomShift } from './augment.ts';
import {
  fileSize,
  type LearnerParts,
  readLatestCheckpoint,
  restoreLearner,
  snapshotLearner,
  writeCheckpoint,
} from './checkpoint.ts';
import { type DqnConfig, type DqnConfigInput, formatConfig, parseDqnConfig } from './config.ts';
import {
  buildQNetwork,
  copyWeights,
  FRAME_HEIGHT,
  FRAME_WIDTH,
  pixelValueTable,
  withoutInputScaling,
} from './network.ts';
import { TrainProgress } from './progress.ts';
import { type ReplayBatch, ReplayBuffer } from './replayBuffer.ts';
import { averageDecayAt, learningRateAt, linearSchedule } from './schedules.ts';
import { getTf, type TfHandle } from './tfBackend.ts';
import { dqnUpdate, type UpdateContext } from './update.ts';

export type { DqnConfig, DqnConfigInput } from './config.ts';

/**
 * A vector env that can hand over and take back its full state (for exact resume). The game envs'
 * `SyncVectorEnv` and `WorkerVectorEnv` are (emulators/envState.ts); their `getState` gives
 * undefined when some env cannot save its state, and resume then restarts the episodes.
 */
export interface ResumableVectorEnv extends VectorEnv {
  getState(): unknown;
  setState(state: unknown): void;
}

export interface TrainOptions {
  config: DqnConfigInput;
  /** Builds the training envs: `config.numEnvs` copies with the config's env options. */
  makeVectorEnv: (config: DqnConfig) => VectorEnv | Promise<VectorEnv>;
  /**
   * Scores a greedy agent under the arena's conditions (see evaluate.ts); absent = no evals.
   * With keepBestAgent the run's best agent is chosen by these scores, so they should come from
   * the validation seed list (`evaluateOnValidationSeeds`), never the arena's test list.
   */
  evaluate?: (agent: Agent, step: number, config: DqnConfig) => Promise<EvalStats>;
  /** Action names for agent.json (default: the env's action space names). */
  actionNames?: readonly string[];
  /** Continue the run in this folder from its latest checkpoint. */
  resumeDir?: string;
  /** Stop after this step (a checkpoint is written), as if interrupted; for tests. */
  stopAtStep?: number;
  /**
   * Wall-clock budget of this session in seconds, counting training only: the periodic
   * evaluations (measurement, which a run without them would not spend) stop the clock while
   * they play, so a budget buys the same training with or without them. When it is spent the
   * run ends as a finished one does (checkpoint and agent folder written); `resumeDir` continues
   * it with a budget of its own.
   */
  maxSeconds?: number;
  /** Live progress bar on stderr. */
  progress?: boolean;
  /** No console output at all. */
  quiet?: boolean;
  tf?: TfHandle;
  /** SPDX licence recorded in agent.json. */
  licence?: string;
}

export interface TrainResult {
  runId: string;
  runDir: string;
  /** The agent folder, absent when stopped early (stopAtStep). */
  agentDir?: string;
  /** The folder of the agent with the best periodic evaluation so far (keepBestAgent). */
  bestAgentDir?: string;
  /** When that agent was evaluated and its mean score there. */
  best?: { step: number; mean: number };
  /** The folder of the weight-averaged agent (averageDecay > 0), written with `agentDir`. */
  averageAgentDir?: string;
  steps: number;
  updates: number;
  episodes: number;
  /** The online network's weights at the end, in layer order. */
  weights: Float32Array[];
}

export async function trainDqn(options: TrainOptions): Promise<TrainResult> {
  // ---- Config and run folder -------------------------------------------------------------
  const resumeDir = options.resumeDir;
  const checkpoint = resumeDir ? await readLatestCheckpoint(join(resumeDir, 'checkpoints')) : null;
  if (resumeDir && !checkpoint) {
    throw new UserError(`no checkpoint to resume in ${resumeDir}`, 'NO_CHECKPOINT');
  }
  const saved = checkpoint?.state as SavedState | undefined;
  // A resumed run keeps its own config; only totalSteps may be raised.
  const totalSteps = options.config.totalSteps;
  const cfg = parseDqnConfig(
    saved ? { ...saved.config, ...(totalSteps ? { totalSteps } : {}) } : options.config,
  );
  const runId =
    saved?.runId ?? `${cfg.game}__dqn-${cfg.net}__${cfg.seed}__${Math.floor(Date.now() / 1000)}`;
  const runDir = resumeDir ?? join(cfg.runsDir, runId);
  const logFile = join(runDir, 'training-log.jsonl');
  if (!resumeDir && (await fileSize(logFile)) > 0) {
    throw new UserError(
      `run folder ${runDir} is already in use; resume it or wait a second`,
      'RUN_EXISTS',
    );
  }
  await mkdir(runDir, { recursive: true });
  const say = (text: string) => options.quiet || console.error(text);
  const { tf, name: backend } = options.tf ?? (await getTf({ quiet: options.quiet }));
  const log = (line: Record<string, unknown>) => appendFile(logFile, `${JSON.stringify(line)}\n`);

  // ---- Seeding: one generator per purpose, all derived from the run's seed ---------------
  const actRng = new Rng(deriveSeed(cfg.seed, 'act'));
  const sampleRng = new Rng(deriveSeed(cfg.seed, 'replay'));

  // ---- Environments, networks, optimiser, replay -----------------------------------------
  const envs = await options.makeVectorEnv(cfg);
  const N = envs.numEnvs;
  const numActions = envs.actionSpace.n;
  const net = {
    net: cfg.net,
    numActions,
    dueling: cfg.dueling,
    seed: deriveSeed(cfg.seed, 'init'),
  };
  const online = buildQNetwork(tf, net);
  const target = buildQNetwork(tf, net);
  copyWeights(tf, target, online);
  // The weight average (averageDecay > 0) follows the online network and never feeds back
  // into training: the run learns exactly as it would without it.
  const average = cfg.averageDecay > 0 ? buildQNetwork(tf, net) : undefined;
  if (average) copyWeights(tf, average, online);
  const variables = online.trainableWeights.map((w) => w.read() as tfTypes.Variable);
  const adam = new Adam(tf, variables, {
    learningRate: cfg.learningRate,
    epsilon: cfg.adamEpsilon,
  });
  const replay = new ReplayBuffer({
    capacity: cfg.bufferSize,
    numEnvs: N,
    nStep: cfg.nStep,
    gamma: cfg.gamma,
    prioritized: cfg.prioritized
      ? { alpha: cfg.priorityAlpha, epsilon: cfg.priorityEpsilon }
      : undefined,
    episodeReturns: cfg.lowerBoundReturns,
    // Batches come out already scaled as the network's first layer would scale them, and the
    // updates apply the networks from the layer after it: the same numbers, two passes fewer
    // over every input. The native gather writes them when the addon is built.
    pixelValues: pixelValueTable(online),
    gatherStack: nativeStackGather() ?? undefined,
  });
  const name = `dqn-${cfg.net}`;
  const agent = new DqnAgent({ tf, model: online, numActions, rng: actRng, name });
  const greedy = new DqnAgent({ tf, model: online, numActions, epsilon: 0, name });
  const averageGreedy = average
    ? new DqnAgent({ tf, model: average, numActions, epsilon: 0, name })
    : undefined;
  const ctx: UpdateContext = {
    tf,
    online,
    target,
    adam,
    doubleDqn: cfg.doubleDqn,
    huberDelta: cfg.huberDelta,
    lowerBound: cfg.lowerBoundReturns,
    munchausen: cfg.munchausen
      ? { alpha: cfg.munchausenAlpha, tau: cfg.munchausenTau, clip: cfg.munchausenClip }
      : undefined,
    targetEpsilon: cfg.targetEpsilon,
    inputNets: { online: withoutInputScaling(tf, online), target: withoutInputScaling(tf, target) },
  };
  const learner: LearnerParts = {
    online,
    target,
    average,
    adam,
    replay,
    rngs: { act: actRng, sample: sampleRng },
  };

  // Counters and episode statistics: everything the loop carries from one step to the next.
  const run: RunCounters = {
    step: 0,
    updates: 0,
    episodes: 0,
    lastLoss: null,
    lastQ: null,
    pendingUpdates: 0,
    pendingTargetSync: false,
    recentReturns: [],
  };
  let observations: Uint8Array;
  if (checkpoint && saved) {
    await restoreLearner(tf, learner, checkpoint);
    Object.assign(run, saved.run);
    // The log continues from the checkpoint; lines written after it are dropped.
    await truncate(logFile, saved.logBytes);
    if (saved.envState !== undefined && isResumable(envs)) {
      envs.setState(saved.envState);
      observations = Uint8Array.from(Buffer.from(saved.observations, 'base64'));
    } else {
      say('the env cannot restore its state: episodes restart on resume');
      // Vector envs take int32 seeds and add the env index: keep well inside that range.
      const seed = deriveSeed(cfg.seed, `resume-${run.step}`) >>> 8;
      observations = envs.reset({ seed }).observations;
    }
    say(`resumed ${runId} at step ${run.step}`);
  } else {
    observations = envs.reset({ seed: cfg.seed }).observations;
    await log({ type: 'config', runId, backend, config: cfg });
    say(`run ${runId} (backend ${backend})\n${formatConfig(cfg)}`);
  }

  const actions = new Int32Array(N);
  const obsCopy = new Uint8Array(observations.length);
  const obsSize = observations.length / N;
  const stopAt = Math.min(cfg.totalSteps, options.stopAtStep ?? Number.POSITIVE_INFINITY);
  const progress =
    options.progress && !options.quiet ? new TrainProgress(cfg.totalSteps, run.step) : null;
  const start = { time: performance.now(), step: run.step, updates: run.updates };
  /** Seconds this session spent in periodic evaluations, which the time budget leaves out. */
  let evalSeconds = 0;
  const trainingSeconds = () => (performance.now() - start.time) / 1000 - evalSeconds;
  const crossed = (prev: number, now: number, every: number) =>
    every > 0 && Math.floor(now / every) > Math.floor(prev / every);
  // The log's clock spans sessions; the time budget (maxSeconds) counts this session alone.
  const earlier = { train: run.trainedSeconds ?? 0, eval: run.evaluatedSeconds ?? 0 };
  const saveCheckpoint = async () => {
    run.trainedSeconds = earlier.train + trainingSeconds();
    run.evaluatedSeconds = earlier.eval + evalSeconds;
    const state: SavedState = {
      config: cfg,
      runId,
      run,
      logBytes: await fileSize(logFile),
      envState: isResumable(envs) ? envs.getState() : undefined,
      observations: Buffer.from(observations).toString('base64'),
    };
    const snapshot = snapshotLearner(learner, run.step, { ...state }, cfg.checkpointReplay);
    await writeCheckpoint(join(runDir, 'checkpoints'), snapshot);
  };

  /** Writes the online network (or the weight average) as it is now, at run.step, as an agent. */
  const writeAgent = (
    dir: string,
    { selection, model = online }: { selection?: AgentSelection; model?: tfTypes.LayersModel } = {},
  ) =>
    saveAgentDir(dir, {
      tf,
      model,
      trainingLog: logFile,
      meta: dqnAgentMeta({
        cfg,
        runId,
        step: run.step,
        actions: options.actionNames ?? envs.actionSpace.names,
        parameters: online.countParams(),
        backend,
        licence: options.licence,
        selection,
        weightAverage:
          average && model === average
            ? { decay: cfg.averageDecay, updates: run.updates }
            : undefined,
      }),
    });
  const bestDir = join(runDir, 'best');

  let batch: ReplayBatch | undefined;
  const shift =
    cfg.augmentShift > 0
      ? new RandomShift(cfg.augmentShift, FRAME_HEIGHT, FRAME_WIDTH, replay.frameStack)
      : undefined;
  /** The gradient steps (and target update) owed by the steps taken so far. */
  const learn = () => {
    // The updates owed now were earned by the steps up to run.step: they take its step size.
    adam.learningRate = learningRateAt(cfg, run.step);
    const beta = linearSchedule(cfg.priorityBeta, 1, cfg.totalSteps, run.step);
    for (; run.pendingUpdates > 0; run.pendingUpdates--) {
      // One batch's arrays serve every step: dqnUpdate's tensors are gone when it returns.
      batch = replay.sample(cfg.batchSize, sampleRng, beta, batch);
      if (shift) {
        // The replay generator draws the shifts too, so a checkpoint already carries them.
        shift.apply(batch.observations, batch.size, sampleRng);
        shift.apply(batch.nextObservations, batch.size, sampleRng);
      }
      const out = dqnUpdate(ctx, batch);
      if (cfg.prioritized) replay.updatePriorities(batch.indices, out.tdErrors);
      run.lastLoss = out.loss;
      run.lastQ = out.qMean;
      run.updates++;
      if (average) {
        copyWeights(tf, average, online, 1 - averageDecayAt(cfg.averageDecay, run.updates));
      }
    }
    if (run.pendingTargetSync) copyWeights(tf, target, online, cfg.tau);
    run.pendingTargetSync = false;
  };

  // ---- The loop ------------------------------------------------------------------------
  let timeUp = false;
  try {
    while (run.step < stopAt) {
      if (options.maxSeconds !== undefined && trainingSeconds() >= options.maxSeconds) {
        timeUp = true;
        say(`time budget of ${options.maxSeconds} s spent at step ${run.step}`);
        break;
      }
      // ALGO LOGIC: epsilon-greedy actions for every env from one forward pass.
      const explore = cfg.explorationFraction * cfg.totalSteps;
      agent.epsilon = linearSchedule(cfg.startEpsilon, cfg.endEpsilon, explore, run.step);
      agent.actBatch(observations, N, actions);
      obsCopy.set(observations);
      // Acting and learning overlap: the env workers emulate this step while the main thread
      // makes the gradient steps the previous step earned. So the actions above come from the
      // network before those updates, in every run alike (a one-step lag that keeps runs
      // reproducible and resumable). Envs without a split step run them in the same order.
      let result: VectorStepResult;
      if (hasSplitStep(envs)) {
        envs.stepSend(actions);
        learn();
        result = envs.stepWait();
      } else {
        learn();
        result = await envs.stepAsync(actions);
      }

      // Store transitions; the vector env resets finished envs on the same step.
      for (let i = 0; i < N; i++) {
        const raw = result.rewards[i];
        const terminated = result.terminated[i] === 1;
        const truncated = result.truncated[i] === 1;
        const obs = obsCopy.subarray(i * obsSize, (i + 1) * obsSize);
        replay.add(
          i,
          obs,
          actions[i],
          cfg.clipRewards ? Math.sign(raw) : raw,
          terminated,
          truncated,
        );
        if (terminated || truncated) {
          run.episodes++;
          run.recentReturns = [...run.recentReturns.slice(-99), result.finalReturns[i]];
          await log({
            type: 'episode',
            step: run.step + i + 1,
            'charts/episodic_return': result.finalReturns[i],
            'charts/episodic_length': result.finalLengths[i],
          });
        }
      }
      observations = result.observations;
      const prev = run.step;
      run.step += N;

      // ALGO LOGIC: a gradient step every trainFrequency steps once learningStarts have passed
      // (made by learn() during the next env step), and the target network update.
      if (run.step > cfg.learningStarts) {
        const from = Math.max(prev, cfg.learningStarts);
        run.pendingUpdates +=
          Math.floor(run.step / cfg.trainFrequency) - Math.floor(from / cfg.trainFrequency);
        if (crossed(from, run.step, cfg.targetUpdateInterval)) run.pendingTargetSync = true;
      }

      // TRY NOT TO MODIFY: logging, evaluation, checkpoints.
      const seconds = trainingSeconds();
      const sps = (run.step - start.step) / Math.max(seconds, 1e-9);
      const ups = (run.updates - start.updates) / Math.max(seconds, 1e-9);
      const returns = run.recentReturns;
      const meanReturn = returns.length
        ? returns.reduce((a, b) => a + b, 0) / returns.length
        : null;
      if (crossed(prev, run.step, cfg.logEvery)) {
        await log({
          type: 'train',
          step: run.step,
          frames: run.step * cfg.frameSkip,
          updates: run.updates,
          episodes: run.episodes,
          'charts/epsilon': agent.epsilon,
          'charts/learning_rate': learningRateAt(cfg, run.step),
          'charts/mean_return_100': meanReturn,
          'losses/td_loss': run.lastLoss,
          'losses/q_values': run.lastQ,
          'charts/SPS': Math.round(sps),
          'charts/UPS': Math.round(ups),
          time: earlier.train + seconds,
          eval_time: earlier.eval + evalSeconds,
        });
      }
      if (options.evaluate && crossed(prev, run.step, cfg.evalEvery)) {
        const evalStart = performance.now();
        const stats = await options.evaluate(greedy, run.step, cfg);
        // The weight average plays the same seeds, so the two compare episode for episode.
        const averageStats = averageGreedy
          ? await options.evaluate(averageGreedy, run.step, cfg)
          : undefined;
        evalSeconds += (performance.now() - evalStart) / 1000;
        // Strictly better only: on a tie the earlier agent (fewer steps) stays the best.
        const isBest = cfg.keepBestAgent && (run.best === undefined || stats.mean > run.best.mean);
        await log({
          type: 'eval',
          step: run.step,
          ...evalMetrics(stats),
          ...(isBest ? { 'eval/best': true } : {}),
          ...(averageStats ? averageEvalMetrics(averageStats) : {}),
        });
        const ci = stats.ci95.map((x) => x.toFixed(1)).join(', ');
        const averageText = averageStats
          ? `; weight average ${averageStats.mean.toFixed(1)} [${averageStats.ci95.map((x) => x.toFixed(1)).join(', ')}]`
          : '';
        say(
          `eval at step ${run.step}: mean ${stats.mean.toFixed(1)} [${ci}]${isBest ? ' (best)' : ''}${averageText}`,
        );
        if (isBest) {
          // The checkpoint that follows records run.best; a crash before it replays this
          // evaluation on resume (same weights, same seeds) and writes the same folder again.
          await writeAgent(bestDir, {
            selection: {
              rule: 'best-eval-mean',
              evalStep: run.step,
              evalMean: stats.mean,
              evalEpisodes: stats.episodes,
            },
          });
          run.best = { step: run.step, mean: stats.mean };
        }
      }
      if (crossed(prev, run.step, cfg.checkpointEvery) && run.step < stopAt) await saveCheckpoint();
      progress?.update(run.step, {
        sps,
        ups,
        epsilon: agent.epsilon,
        meanReturn,
        loss: run.lastLoss,
      });
    }
    progress?.stop();
    // At the very end, make the gradient steps the last env step earned. A run stopped early
    // (stopAtStep) keeps them pending in its checkpoint, so its resume stays bit-for-bit.
    if (run.step >= cfg.totalSteps) learn();
    await saveCheckpoint();

    let agentDir: string | undefined;
    let averageAgentDir: string | undefined;
    if (run.step >= cfg.totalSteps || timeUp) {
      agentDir = join(runDir, 'agent');
      await writeAgent(agentDir);
      say(`agent written to ${agentDir}`);
      if (average) {
        averageAgentDir = join(runDir, 'average');
        await writeAgent(averageAgentDir, { model: average });
        say(`weight-averaged agent written to ${averageAgentDir}`);
      }
    }
    const weights = online.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
    return {
      runId,
      runDir,
      agentDir,
      bestAgentDir: run.best ? bestDir : undefined,
      best: run.best,
      averageAgentDir,
      steps: run.step,
      updates: run.updates,
      episodes: run.episodes,
      weights,
    };
  } finally {
    progress?.stop();
    await envs.close();
    adam.dispose();
    // The views hold the layers too: the weights go once the views and the models are disposed.
    ctx.inputNets?.online.dispose();
    ctx.inputNets?.target.dispose();
    online.dispose();
    target.dispose();
    average?.dispose();
  }
}

interface RunCounters {
  step: number;
  updates: number;
  episodes: number;
  lastLoss: number | null;
  lastQ: number | null;
  /** Gradient steps earned but not made yet (they run while the envs take the next step). */
  pendingUpdates: number;
  /** Whether the target network is due a sync after those steps. */
  pendingTargetSync: boolean;
  /** Raw returns of the last (up to) 100 finished episodes. */
  recentReturns: number[];
  /**
   * Training and evaluation seconds of every session up to the last checkpoint (set as it is
   * written), so a resumed run's log goes on counting time where it stopped. Absent in older
   * checkpoints.
   */
  trainedSeconds?: number;
  evaluatedSeconds?: number;
  /** The best periodic evaluation so far (keepBestAgent): its step and mean score. */
  best?: { step: number; mean: number };
}

/** A weight-average evaluation's metrics, named `eval/average/...` beside the online network's. */
function averageEvalMetrics(stats: EvalStats): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(evalMetrics(stats)).map(([k, v]) => [k.replace('eval/', 'eval/average/'), v]),
  );
}

/** The trainer's part of a checkpoint's state.json (the learner's part is in checkpoint.ts). */
export interface SavedState {
  config: DqnConfig;
  runId: string;
  run: RunCounters;
  /** Length of the training log when the checkpoint was taken. */
  logBytes: number;
  envState: unknown;
  /** The current observations (base64), valid with envState. */
  observations: string;
}

/** Worker vector envs split a step in two (send, then wait) so the caller can train meanwhile. */
function hasSplitStep(
  env: VectorEnv,
): env is VectorEnv & { stepSend(actions: Int32Array): void; stepWait(): VectorStepResult } {
  const e = env as Partial<{ stepSend: unknown; stepWait: unknown }>;
  return typeof e.stepSend === 'function' && typeof e.stepWait === 'function';
}

function isResumable(env: VectorEnv): env is ResumableVectorEnv {
  const e = env as Partial<ResumableVectorEnv>;
  return typeof e.getState === 'function' && typeof e.setState === 'function';
}
