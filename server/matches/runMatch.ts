/**
 * Playing head-to-head matches. `playMatch` plays one game between two `MatchPlayer`s (each on
 * its own controller, each seeing its own side) and records both controllers frame by frame;
 * `runMatchTask` plays a pairing's legs with local players and is what the worker threads run.
 *
 * Determinism: a match depends only on its seed and the players' answers. The seed resets the
 * game, the no-op start and each side's sticky-action stream; builtin agents and the model
 * agents' exploration draw from streams derived from it per side. The recorded controller bytes
 * and the game seed reproduce the match exactly (`replay.ts`).
 */

import type { MessagePort } from 'node:worker_threads';
import type { EvalConditions } from '../../agents/evaluation/conditions.ts';
import {
  type Side,
  type TwoPlayerEnv,
  TwoPlayerEnv as TwoPlayerGame,
} from '../../emulators/twoPlayer.ts';
import { localPlayer } from './localPlayers.ts';
import { MatchForfeit, type MatchPlayer } from './player.ts';
import { relayPlayer } from './relay.ts';
import type { MatchLegResult, MatchPlayerSpec, MatchTask } from './task.ts';

export interface MatchSetup {
  game: string;
  seed: number;
  conditions: Pick<
    EvalConditions,
    'stickyActionProbability' | 'noopMax' | 'maxEpisodeFrames' | 'modelEpsilon'
  >;
  /** The game's computer plays the right paddle at this level; absent: controller 2 plays. */
  computerLevel?: string;
}

export interface PlayedMatch {
  /** Points of controller 1 and controller 2. */
  scores: [number, number];
  outcome: 'a' | 'b' | 'draw';
  frames: number;
  truncated: boolean;
  forfeit: MatchLegResult['forfeit'];
  romSha1: string;
  gameSeed: number;
  gameSettings: Record<string, string>;
  /** Two bytes per frame: controller 1's buttons, controller 2's. */
  controllers: Uint8Array;
}

/** Game settings for a setup: controller 2 is an agent, or the computer at a level. */
export function matchSettings(setup: Pick<MatchSetup, 'computerLevel'>): Record<string, string> {
  return setup.computerLevel === undefined
    ? { controller2: 'agent' }
    : { controller2: 'computer', opponentLevel: setup.computerLevel };
}

/** Grows by doubling; two controller bytes per emulator frame. */
class ControllerLog {
  private bytes = new Uint8Array(8192);
  length = 0;
  constructor(private readonly masks: Uint8Array) {}
  push(action1: number, action2: number): void {
    if (this.length + 2 > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = this.masks[action1];
    this.bytes[this.length++] = this.masks[action2];
  }
  copy(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

export interface PlayMatchOptions {
  setup: MatchSetup;
  /** Controller 1's and controller 2's players, or a function making them once the game exists. */
  players: [MatchPlayer, MatchPlayer] | ((env: TwoPlayerEnv) => [MatchPlayer, MatchPlayer]);
  /** Aborting ends the match at the next step as if the frame cap was reached. */
  signal?: AbortSignal;
}

/** Plays one game to its end (a player at 21), the frame cap or a forfeit. */
export async function playMatch(options: PlayMatchOptions): Promise<PlayedMatch> {
  const { setup } = options;
  const gameSettings = matchSettings(setup);
  let log: ControllerLog | null = null;
  const env = new TwoPlayerGame({
    game: setup.game,
    settings: gameSettings,
    stickyActionProbability: setup.conditions.stickyActionProbability,
    noopMax: setup.conditions.noopMax,
    maxEpisodeFrames: setup.conditions.maxEpisodeFrames,
    onFrame: (a1, a2) => log?.push(a1, a2),
  });
  log = new ControllerLog(env.masks);
  const players = typeof options.players === 'function' ? options.players(env) : options.players;
  const names = players.map((p) => p.name);
  try {
    await Promise.all(
      players.map((p, i) =>
        p.start?.({
          game: setup.game,
          side: (i + 1) as Side,
          actions: env.actionSpace.names,
          opponent: names[1 - i],
          seed: setup.seed,
        }),
      ),
    );
    let step = env.reset({ seed: setup.seed });
    let forfeit: PlayedMatch['forfeit'] = null;
    const actions = [0, 0];
    while (!step.terminated && !step.truncated) {
      if (options.signal?.aborted) break;
      const [left, right] = step.sides;
      const first = players[0].act(left.observation, left.info);
      const second = players[1].act(right.observation, right.info);
      // Sync players (local agents) skip the promise machinery.
      if (typeof first === 'number' && typeof second === 'number') {
        actions[0] = first;
        actions[1] = second;
      } else {
        const settled = await Promise.allSettled([first, second]);
        const lost = settled.findIndex(
          (s) => s.status === 'rejected' && s.reason instanceof MatchForfeit,
        );
        if (lost >= 0) {
          const reason = (settled[lost] as PromiseRejectedResult).reason as MatchForfeit;
          forfeit = { side: (lost + 1) as Side, code: reason.code, reason: reason.reason };
          break;
        }
        for (const [i, s] of settled.entries()) {
          if (s.status === 'rejected') throw s.reason;
          actions[i] = s.value;
        }
      }
      for (const [i, a] of actions.entries()) {
        if (!(Number.isInteger(a) && a >= 0 && a < env.actionSpace.n)) {
          const reason = `action ${String(a)} is outside 0..${env.actionSpace.n - 1}`;
          forfeit = { side: (i + 1) as Side, code: 'INVALID_ACTION', reason };
          break;
        }
      }
      if (forfeit) break;
      step = env.step(actions[0], actions[1]);
    }
    const scores: [number, number] = [step.sides[0].info.score, step.sides[0].info.opponentScore];
    const outcome: PlayedMatch['outcome'] = forfeit
      ? forfeit.side === 1
        ? 'b'
        : 'a'
      : scores[0] > scores[1]
        ? 'a'
        : scores[1] > scores[0]
          ? 'b'
          : 'draw';
    const truncated = !step.terminated && forfeit === null;
    await Promise.all(
      players.map(async (p, i) => {
        const own = scores[i];
        const other = scores[1 - i];
        const won = outcome === (i === 0 ? 'a' : 'b');
        try {
          await p.end?.({
            side: (i + 1) as Side,
            score: own,
            opponentScore: other,
            result: outcome === 'draw' ? 'draw' : won ? 'win' : 'loss',
            truncated,
          });
        } catch {
          // A player failing to take note of the end changes nothing about the result.
        }
      }),
    );
    return {
      scores,
      outcome,
      frames: log.length / 2,
      truncated,
      forfeit,
      romSha1: env.entry.sha1,
      gameSeed: env.gameSeed,
      gameSettings,
      controllers: log.copy(),
    };
  } finally {
    env.close();
  }
}

/**
 * Plays a pairing with local players: two legs with sides swapped (one leg against the
 * computer), reporting each leg as it ends. Model agents are loaded once for both legs.
 */
export async function runMatchTask(
  task: MatchTask,
  onLeg: (result: MatchLegResult) => void,
  /** The ports of the task's `relay` players, by index into `task.players`. */
  relays: ReadonlyMap<number, MessagePort> = new Map(),
): Promise<void> {
  const [a, b] = task.players;
  if (a.kind === 'computer' && b.kind === 'computer') {
    throw new Error('the computer cannot play itself: both would need controller 2');
  }
  // The computer only plays the right paddle.
  const legs: Array<[number, number]> =
    a.kind === 'computer'
      ? [[1, 0]]
      : b.kind === 'computer'
        ? [[0, 1]]
        : [
            [0, 1],
            [1, 0],
          ];
  const models = new Map<number, Awaited<ReturnType<typeof loadModel>>>();
  // A relayed player plays both legs over the same port.
  const relayed = new Map<number, MatchPlayer>();
  for (const [index, spec] of task.players.entries()) {
    if (spec.kind !== 'relay') continue;
    const port = relays.get(index);
    if (!port) throw new Error(`no relay port for ${spec.name}`);
    relayed.set(index, relayPlayer(spec.name, port));
  }
  try {
    for (const [leg, [left, right]] of legs.entries()) {
      const rightSpec = task.players[right];
      const setup: MatchSetup = {
        game: task.game,
        seed: task.seed,
        conditions: task.conditions,
        computerLevel: rightSpec.kind === 'computer' ? rightSpec.level : undefined,
      };
      for (const index of [left, right]) {
        const spec = task.players[index];
        if (spec.kind === 'agent' && spec.agent.kind === 'model' && !models.has(index)) {
          models.set(index, await loadModel(spec, task.game));
        }
      }
      const played = await playMatch({
        setup,
        players: (env) =>
          [left, right].map(
            (index, i) =>
              relayed.get(index) ??
              localPlayer({
                spec: task.players[index],
                env,
                side: (i + 1) as Side,
                seed: task.seed,
                modelEpsilon: task.conditions.modelEpsilon,
                model: models.get(index),
              }),
          ) as [MatchPlayer, MatchPlayer],
      });
      onLeg({ leg, seed: task.seed, left, right, ...played });
    }
  } finally {
    for (const model of models.values()) model?.dispose?.();
    for (const player of relayed.values()) player.dispose?.();
  }
}

async function loadModel(spec: MatchPlayerSpec, game: string) {
  if (spec.kind !== 'agent' || spec.agent.kind !== 'model') return undefined;
  const { loadModelAgent } = await import('../eval/evalTask.ts');
  const { loadGame } = await import('../../emulators/manifest/index.ts');
  const names = loadGame(game).entry.actions;
  return loadModelAgent(spec.agent.dir, {
    actionSpace: { kind: 'discrete', n: names.length, names },
  });
}
