/**
 * The contract between an agent and whoever runs it (the arena server, `arena eval`, training).
 * The server sees only this interface, never a network or a backend.
 *
 * Observations follow `emulators/core.ts`: a Uint8Array [frameStack, 84, 84] (oldest frame first,
 * CHW order) that is valid only until the environment's next step. An agent must not keep it.
 */
import type { StepInfo } from '../emulators/core.ts';

export interface Agent {
  /** A short display name, e.g. `dqn-nature` or `random`. */
  readonly name: string;
  /** Size of the action set the agent answers in (actions are 0..numActions-1). */
  readonly numActions: number;
  /** Picks one action for one observation. */
  act(observation: Uint8Array, info?: StepInfo): number;
  /**
   * Picks actions for `count` observations laid end to end in `observations`
   * (count * frameStack * 84 * 84 bytes) and writes them to `out[0..count)`. One forward pass.
   */
  actBatch(observations: Uint8Array, count: number, out: Int32Array): void;
  /** The action values behind the last choice, for live displays; absent for agents without them. */
  qValues?(observation: Uint8Array): Float32Array;
  /** Frees whatever the agent holds (tensors, workers). */
  dispose?(): void;
}

/** Size in bytes of one observation of the standard shape [4, 84, 84]. */
export const OBSERVATION_BYTES = 4 * 84 * 84;
