/**
 * The arena's episode runner: plays a list of seeded episodes, side by side in lockstep, and
 * reports each as soon as it ends. `arena eval`, training's evaluations, the server's evaluation
 * workers and remote agents' single-player episodes all play through it. A remote agent is a
 * per-episode agent whose action is a promise: the game worker (`server/remote/envWorker.ts`)
 * relays each observation to the agent and resolves with its reply, so the runner awaits only
 * such agents and local agents' steps stay synchronous.
 *
 * Every episode's randomness depends only on its own seed (the env's reset seed, a builtin agent's
 * seed, the exploration stream `eval-epsilon` of a shared agent), so results do not depend on how
 * many episodes run at once, how they are grouped into tasks, or who watches them.
 */
import type { Env, StepInfo } from '../../emulators/core.ts';
import { deriveSeed, Rng } from '../../emulators/rng.ts';
import type { Agent } from '../agent.ts';

/**
 * What a per-episode policy gives each episode: an `Agent`, or one whose action arrives later (a
 * remote agent's reply). A rejected action ends the run: the runner closes every env still open
 * and rethrows.
 */
export interface EpisodeAgent {
  act(observation: Uint8Array, info: StepInfo): number | Promise<number>;
  dispose?(): void;
}

/** One episode to play: its index within its evaluation and the seed that decides it. */
export interface EpisodePlan {
  index: number;
  seed: number;
}

/** An episode in play, as observers and `onEpisode` read it. */
export interface PlayingEpisode<
  E extends Env<Uint8Array> = Env<Uint8Array>,
  A extends EpisodeAgent = Agent,
> {
  readonly plan: EpisodePlan;
  readonly env: E;
  /** The episode's own agent (per-episode policies); null when a shared agent plays. */
  readonly agent: A | null;
  observation: Uint8Array;
  /** The info of the last reset or step. */
  info: StepInfo;
  /** Agent steps taken. */
  steps: number;
  done: boolean;
  /** Ended by the frame cap rather than by the game. */
  truncated: boolean;
  /** The game's own score for the player (`info.score`): the episode's score. */
  score: number;
}

/**
 * Who chooses the actions.
 * - `shared`: one agent answers every running episode in one batched call (a model's forward
 *   pass), with epsilon-greedy exploration drawn per episode from its own stream.
 * - `perEpisode`: each episode gets its own agent, made for its env and seed (builtin agents:
 *   the random one is seeded by the episode, the scripted ones read the episode's RAM; a remote
 *   agent's relay). Actions that are promises are awaited one episode after another, so a run of
 *   remote agents plays one episode (the game worker starts one run per hosted episode).
 */
export type EpisodePolicy<
  E extends Env<Uint8Array> = Env<Uint8Array>,
  A extends EpisodeAgent = Agent,
> =
  | { kind: 'shared'; agent: Agent; epsilon: number }
  | { kind: 'perEpisode'; make: (plan: EpisodePlan, env: E) => A };

export interface RunEpisodesOptions<E extends Env<Uint8Array>, A extends EpisodeAgent = Agent> {
  plans: readonly EpisodePlan[];
  makeEnv: (plan: EpisodePlan) => E | Promise<E>;
  /** The policy, or a function that builds it from the first environment (its action set). */
  policy: EpisodePolicy<E, A> | ((firstEnv: E) => Promise<EpisodePolicy<E, A>>);
  /** Episodes played side by side; a finished one is replaced by the next plan. Default: all. */
  parallel?: number;
  /**
   * Called before the first step and after every lockstep with every episode started so far (in
   * start order, finished ones included); returning true yields to the event loop at once.
   */
  observe?: (episodes: readonly PlayingEpisode<E, A>[]) => boolean;
  /** Called once per episode, as it ends, before its env is closed. */
  onEpisode: (episode: PlayingEpisode<E, A>) => void;
}

/** How often the runner lets timers (progress output, heartbeats) run between lockstep steps. */
const YIELD_EVERY_STEPS = 256;

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runEpisodes<E extends Env<Uint8Array>, A extends EpisodeAgent = Agent>(
  options: RunEpisodesOptions<E, A>,
): Promise<void> {
  const { plans } = options;
  if (plans.length === 0) return;
  const width = Math.max(1, Math.min(options.parallel ?? plans.length, plans.length));
  const started: PlayingEpisode<E, A>[] = [];
  const running: PlayingEpisode<E, A>[] = [];
  const explore = new Map<PlayingEpisode<E, A>, Rng>();
  let policy: EpisodePolicy<E, A> | null =
    typeof options.policy === 'function' ? null : options.policy;
  let nextPlan = 0;

  const start = async (): Promise<PlayingEpisode<E, A> | null> => {
    if (nextPlan >= plans.length) return null;
    const plan = plans[nextPlan++];
    const env = await options.makeEnv(plan);
    if (!policy) policy = await (options.policy as (env: E) => Promise<EpisodePolicy<E, A>>)(env);
    const agent = policy.kind === 'perEpisode' ? policy.make(plan, env) : null;
    const { observation, info } = env.reset({ seed: plan.seed });
    const episode: PlayingEpisode<E, A> = {
      plan,
      env,
      agent,
      observation,
      info,
      steps: 0,
      done: false,
      truncated: false,
      score: info.score,
    };
    if (policy.kind === 'shared')
      explore.set(episode, new Rng(deriveSeed(plan.seed, 'eval-epsilon')));
    started.push(episode);
    return episode;
  };

  const finish = (episode: PlayingEpisode<E, A>) => {
    explore.delete(episode);
    episode.env.close();
    episode.agent?.dispose?.();
  };

  try {
    for (let i = 0; i < width; i++) {
      const episode = await start();
      if (episode) running.push(episode);
    }
    const obsSize = running[0].observation.length;
    // Only a shared agent's greedy steps are batched.
    const batch = new Uint8Array(
      (policy as EpisodePolicy<E, A>).kind === 'shared' ? width * obsSize : 0,
    );
    const batchActions = new Int32Array(width);
    const actions = new Int32Array(width);
    const greedy: number[] = [];
    if (options.observe?.(started)) await yieldNow();
    let steps = 0;
    while (running.length > 0) {
      // Choose every running episode's action.
      const active = policy as EpisodePolicy<E, A>;
      greedy.length = 0;
      for (let i = 0; i < running.length; i++) {
        const episode = running[i];
        if (episode.agent) {
          const chosen = episode.agent.act(episode.observation, episode.info);
          actions[i] = typeof chosen === 'number' ? chosen : await chosen;
          continue;
        }
        const rng = explore.get(episode) as Rng;
        const epsilon = active.kind === 'shared' ? active.epsilon : 0;
        // The arena's epsilon: drawn per episode, so it does not depend on batching.
        if (rng.next() < epsilon) actions[i] = rng.int(episode.env.actionSpace.n);
        else {
          batch.set(episode.observation, greedy.length * obsSize);
          greedy.push(i);
        }
      }
      if (active.kind === 'shared' && greedy.length > 0) {
        active.agent.actBatch(batch, greedy.length, batchActions);
        for (let k = 0; k < greedy.length; k++) actions[greedy[k]] = batchActions[k];
      }
      // Step them; replace each finished one by the next plan.
      for (let i = running.length - 1; i >= 0; i--) {
        const episode = running[i];
        const step = episode.env.step(actions[i]);
        episode.observation = step.observation;
        episode.info = step.info;
        episode.score = step.info.score;
        episode.steps++;
        if (!step.terminated && !step.truncated) continue;
        episode.done = true;
        episode.truncated = !step.terminated;
        options.onEpisode(episode);
        finish(episode);
        const replacement = await start();
        // Episodes before `i` keep their indices, so their chosen actions stay where they are.
        if (replacement) running[i] = replacement;
        else running.splice(i, 1);
      }
      const wantsYield = options.observe?.(started) ?? false;
      if (wantsYield || ++steps % YIELD_EVERY_STEPS === 0) await yieldNow();
    }
  } finally {
    for (const episode of running) if (!episode.done) finish(episode);
  }
}
