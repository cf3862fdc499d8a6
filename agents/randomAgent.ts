/** An agent that presses a uniformly random action each step: the floor every other agent must beat. */
import { Rng } from '../emulators/rng.ts';
import type { Agent } from './agent.ts';

export class RandomAgent implements Agent {
  readonly name = 'random';
  private readonly rng: Rng;

  constructor(
    readonly numActions: number,
    /** Seeds the agent's own generator, so a match replays exactly. */
    seed = 0,
  ) {
    if (!Number.isInteger(numActions) || numActions < 1) {
      throw new RangeError(`numActions must be a positive integer, got ${numActions}`);
    }
    this.rng = new Rng(seed);
  }

  act(_observation: Uint8Array): number {
    return this.rng.int(this.numActions);
  }

  actBatch(_observations: Uint8Array, count: number, out: Int32Array): void {
    for (let i = 0; i < count; i++) out[i] = this.rng.int(this.numActions);
  }
}
