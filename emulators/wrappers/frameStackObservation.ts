/**
 * Stacks the last `depth` observations into one contiguous array, oldest first (shape
 * [depth, ...frame]); after a reset every slot holds the first frame, as in the DQN papers.
 *
 * With `players` > 1 each observation is that many players' frames, one after another (shape
 * [players, ...frame]), and each player's frames are stacked on their own: shape
 * [players, depth, ...frame], so that `stacks[p]` is player p's [depth, ...frame] stack.
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

export interface FrameStackOptions {
  /** Players whose frames each observation holds, one after another (default 1). */
  players?: number;
}

export class FrameStackObservation extends Wrapper<Uint8Array> {
  readonly depth: number;
  readonly players: number;
  /** Each player's stack, [depth, ...frame]: views into the observation, valid as it is. */
  readonly stacks: readonly Uint8Array[];
  private readonly stack: Uint8Array;
  /** One player's frame. */
  private readonly frameSize: number;
  private readonly space: BoxSpace;

  constructor(env: Env<Uint8Array>, depth = 4, options: FrameStackOptions = {}) {
    super(env);
    if (!Number.isInteger(depth) || depth < 1)
      throw new UserError(`frame stack depth must be an integer >= 1, got ${depth}`);
    const players = options.players ?? 1;
    const shape = env.observationSpace.shape;
    if (!(Number.isInteger(players) && players >= 1 && (players === 1 || shape[0] === players))) {
      throw new UserError(
        `a frame stack of ${players} players needs observations of shape [${players}, ...frame], got [${shape.join(', ')}]`,
      );
    }
    this.depth = depth;
    this.players = players;
    const frame = players === 1 ? shape : shape.slice(1);
    this.frameSize = frame.reduce((a, b) => a * b, 1);
    this.stack = new Uint8Array(players * depth * this.frameSize);
    const stackSize = depth * this.frameSize;
    this.stacks =
      players === 1
        ? [this.stack]
        : Array.from({ length: players }, (_, p) =>
            this.stack.subarray(p * stackSize, (p + 1) * stackSize),
          );
    this.space = {
      ...env.observationSpace,
      shape: players === 1 ? [depth, ...frame] : [players, depth, ...frame],
    };
  }

  override get observationSpace(): BoxSpace {
    return this.space;
  }

  override reset(options?: ResetOptions): ResetResult<Uint8Array> {
    const result = this.env.reset(options);
    const size = this.frameSize;
    for (const [p, stack] of this.stacks.entries()) {
      const frame =
        this.players === 1
          ? result.observation
          : result.observation.subarray(p * size, (p + 1) * size);
      for (let k = 0; k < this.depth; k++) stack.set(frame, k * size);
    }
    return { observation: this.stack, info: result.info };
  }

  override step(action: number): StepResult<Uint8Array> {
    const result = this.env.step(action);
    const size = this.frameSize;
    const newest = (this.depth - 1) * size;
    if (this.players === 1) {
      this.stack.copyWithin(0, size);
      this.stack.set(result.observation, newest);
    } else {
      const observation = result.observation;
      for (let p = 0; p < this.players; p++) {
        const stack = this.stacks[p];
        stack.copyWithin(0, size);
        // A copy loop rather than set(subarray): no view object made per step.
        for (let i = 0, from = p * size; i < size; i++) stack[newest + i] = observation[from + i];
      }
    }
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
