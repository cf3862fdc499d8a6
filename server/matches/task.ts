/**
 * What a worker is asked to play for one pairing and what it reports, as plain
 * structured-cloneable data (the match counterpart of `eval/task.ts`).
 *
 * A pairing of two agents plays two legs from the same seed, each agent once on each side, so
 * neither side's advantage counts. A pairing with the game's computer plays one leg: the computer
 * only ever plays the right paddle.
 */
import type { EvalConditions } from '../../agents/evaluation/conditions.ts';
import type { AgentSpec } from '../eval/task.ts';
import type { ForfeitCode } from './player.ts';

export type MatchPlayerSpec =
  | { kind: 'agent'; name: string; agent: AgentSpec }
  /** The game's built-in opponent at one of its levels (Duel: easy, normal, hard). */
  | { kind: 'computer'; name: string; level: string }
  /**
   * A player outside the worker (a remote agent, whose connection the main thread holds),
   * reached through the `MessagePort` the task brings for it (`relay.ts`).
   */
  | { kind: 'relay'; name: string };

export interface MatchTask {
  game: string;
  /** Sticky actions, no-op starts, frame cap and model epsilon: the evaluation's conditions. */
  conditions: EvalConditions;
  seed: number;
  /** The pairing; the order only decides who is on controller 1 in the first leg. */
  players: [MatchPlayerSpec, MatchPlayerSpec];
}

export interface MatchLegResult {
  /** 0 for the first leg (players[0] on controller 1), 1 for the second (swapped). */
  leg: number;
  seed: number;
  /** Index into the task's players of who played controller 1 and controller 2. */
  left: number;
  right: number;
  /** Points of controller 1 and of controller 2. */
  scores: [number, number];
  /** 'a': controller 1 won, 'b': controller 2 won. */
  outcome: 'a' | 'b' | 'draw';
  frames: number;
  /** Ended by the frame cap (then the points decide, equal points are a draw). */
  truncated: boolean;
  forfeit: { side: 1 | 2; code: ForfeitCode; reason: string } | null;
  romSha1: string;
  /** The game seed the machine was reset with, and the game settings (replay). */
  gameSeed: number;
  gameSettings: Record<string, string>;
  /** Two controller bytes per emulator frame: controller 1, controller 2. */
  controllers: Uint8Array;
}
