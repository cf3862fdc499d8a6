/**
 * `MatchPlayer`: the one thing a head-to-head match needs from a player. The match runner
 * (`playMatch` in `runMatch.ts`) never knows what is behind it: a builtin or DQN agent in the
 * same thread (`localPlayers.ts`), or a program elsewhere on the network.
 *
 * Contract, per match (one game of Duel to 21, or to the frame cap):
 * 1. `start` once, with the side the player is on and the action names (awaited).
 * 2. `act` once per agent step (every `frameSkip` emulator frames), for both players at once;
 *    the step runs when both have answered. The observation is the player's own view: a uint8
 *    [frameStack, 84, 84] stack, oldest frame first, mirrored left-right for controller 2 so
 *    that every player sees itself on the left. It belongs to the environment and is rewritten
 *    by the next step: copy it (or send it) before the returned promise settles. `info.score`
 *    is the player's own points, `info.opponentScore` the other side's.
 * 3. `end` once with the result from the player's side (awaited, errors ignored).
 *
 * `act` may return a number or a promise of one. A player that cannot go on (a remote agent
 * that disconnected or ran out of time) rejects with `MatchForfeit`: the match ends there and
 * the other side wins, with the code and reason recorded. Any other error aborts the match as
 * a failure of the arena, not of the player.
 */
import type { SideInfo } from '../../emulators/twoPlayer.ts';

export type { SideInfo } from '../../emulators/twoPlayer.ts';

/** Controller 1 plays the left paddle, controller 2 the right (seen mirrored). */
export type MatchSide = 1 | 2;

export interface MatchPlayerSetup {
  game: string;
  side: MatchSide;
  /** Names of the actions `act` answers in, index-aligned (e.g. NOOP, UP, DOWN). */
  actions: readonly string[];
  /** The opponent's display name. */
  opponent: string;
  /** The match seed (both legs of a pairing share it). */
  seed: number;
}

export interface MatchPlayerEnd {
  side: MatchSide;
  /** Own points and the opponent's, as at the end. */
  score: number;
  opponentScore: number;
  result: 'win' | 'loss' | 'draw';
  /** Ended by the frame cap rather than by a player reaching 21. */
  truncated: boolean;
}

export interface MatchPlayer {
  /** Display name (live rooms, logs). */
  readonly name: string;
  start?(setup: MatchPlayerSetup): void | Promise<void>;
  /** The action index for this step: a number, or a promise of one. */
  act(observation: Uint8Array, info: SideInfo): number | Promise<number>;
  end?(end: MatchPlayerEnd): void | Promise<void>;
  /** Frees what the player holds; called once after its last match. */
  dispose?(): void | Promise<void>;
}

/** Outcome codes of a forfeit, as for episodes (`storage/types.ts` EPISODE_OUTCOMES). */
export type ForfeitCode = 'TIMEOUT' | 'DISCONNECT' | 'INVALID_ACTION' | 'PROTOCOL_ERROR';

/** Rejecting `act` with this ends the match as a loss for that player. */
export class MatchForfeit extends Error {
  override name = 'MatchForfeit';
  constructor(
    readonly code: ForfeitCode,
    readonly reason: string,
  ) {
    super(`${code}: ${reason}`);
  }
}
