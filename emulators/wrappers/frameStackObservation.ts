/**
 * Stacks the last `depth` observations into one contiguous array, oldest first (shape
 * [depth, ...frame]); after a reset every slot holds the first frame, as in the DQN papers.
 */
import type { BoxSpace, ResetOptions, ResetResult, StepResult } from '../core.ts';
import { type Env, Wrapper } from '../core.ts';
import { UserError } from '../errors.ts';

export class FrameStackObservation extends Wrapper<Uint8Array> {
  readonly depth: number;
  private readonly stack: Uint8Array;
  private readonly frameSize: number;
  private readonly space: BoxSpace;

  constructor(env: Env<Uint8Array>, depth = 4) {
    super(env);
    if (!Number.isInteger(depth) || depth < 1)
      throw new UserError(`frame stack depth must be an integer >= 1, got ${depth}`);
    this.depth = depth;
    const shape = env.observationSpace.shape;
    this.frameSize = shape.reduce((a, b) => a * b, 1);
    this.stack = new Uint8Array(depth * this.frameSize);
    this.space = { ...env.observationSpace, shape: [depth, ...shape] };
  }

  override get observationSpace(): BoxSpace {
    return this.space;
  }

  override reset(options?: ResetOptions): ResetResult<Uint8Array> {
    const result = this.env.reset(options);
    for (let k = 0; k < this.depth; k++) this.stack.set(result.observation, k * this.frameSize);
    return { observation: this.stack, info: result.info };
  }

  override step(action: number): StepResult<Uint8Array> {
    const result = this.env.step(action);
    this.stack.copyWithin(0, this.frameSize);
    this.stack.set(result.observation, (this.depth - 1) * this.frameSize);
    result.observation = this.stack;
    return result;
  }
}
