/**
 * Stacks the last `depth` observations into one contiguous array, oldest first (shape
 * [depth, ...frame]); after a reset every slot holds the first frame, as in the DQN papers.
 */
import { z } from 'zod';
import type { BoxSpace, ResetOptions, ResetResult, StepResult } from '../core.ts';
import { type Env, Wrapper } from '../core.ts';
import { packBytes, parseLayerState, restoreState, stateOf, unpackBytes } from '../envState.ts';
import { UserError } from '../errors.ts';

const stateSchema = z
  .object({
    layer: z.literal('frame-stack'),
    depth: z.number().int().min(1),
    /** The stacked frames, oldest first (packed bytes). */
    stack: z.string(),
    inner: z.unknown(),
  })
  .strict();

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

  getState(): z.infer<typeof stateSchema> {
    const inner = stateOf(this.env);
    return { layer: 'frame-stack', depth: this.depth, stack: packBytes(this.stack), inner };
  }

  setState(state: unknown): void {
    const saved = parseLayerState(stateSchema, state, 'frame-stack');
    if (saved.depth !== this.depth) {
      throw new UserError(
        `cannot restore a ${saved.depth}-frame stack into a ${this.depth}-frame one`,
        'BAD_ENV_STATE',
      );
    }
    const stack = unpackBytes(saved.stack, this.stack.length, 'frame-stack state');
    restoreState(this.env, saved.inner);
    this.stack.set(stack);
  }
}
