/**
 * Sticky actions (Machado et al. 2018): on each step of the env it wraps, with probability
 * `probability`, the previous action is executed instead of the chosen one. This makes the
 * environment stochastic so an agent cannot memorise an open-loop action sequence. ALE draws it on
 * every emulated frame, so `atariPreprocessing` puts this wrapper under the frame skip, on the
 * frame-level env; the action actually executed is reported in `info.executedAction`.
 */
import { z } from 'zod';
import { ActionWrapper, type Env, type ResetOptions, type ResetResult } from '../core.ts';
import { parseLayerState, restoreState, rngStateSchema, stateOf } from '../envState.ts';
import { UserError } from '../errors.ts';
import { deriveSeed, Rng } from '../rng.ts';

const stateSchema = z
  .object({
    layer: z.literal('sticky-action'),
    /** The action the previous step executed (repeated when the next one sticks). */
    previous: z.number().int().min(0),
    rng: rngStateSchema,
    inner: z.unknown(),
  })
  .strict();

export class StickyAction<Obs> extends ActionWrapper<Obs> {
  private readonly rng = new Rng(deriveSeed(0, 'sticky'));
  private previous = 0;

  constructor(
    env: Env<Obs>,
    /** Repeat probability (ALE v5 default 0.25). */
    readonly probability = 0.25,
  ) {
    super(env);
    if (!(probability >= 0 && probability < 1)) {
      throw new UserError(`sticky action probability must be in [0, 1), got ${probability}`);
    }
  }

  override reset(options?: ResetOptions): ResetResult<Obs> {
    if (options?.seed !== undefined) this.rng.seed(deriveSeed(options.seed, 'sticky'));
    this.previous = 0;
    return this.env.reset(options);
  }

  action(action: number): number {
    if (this.probability > 0 && this.rng.next() < this.probability) return this.previous;
    this.previous = action;
    return action;
  }

  getState(): z.infer<typeof stateSchema> {
    const inner = stateOf(this.env);
    return { layer: 'sticky-action', previous: this.previous, rng: this.rng.getState(), inner };
  }

  setState(state: unknown): void {
    const saved = parseLayerState(stateSchema, state, 'sticky-action');
    restoreState(this.env, saved.inner);
    this.previous = saved.previous;
    this.rng.setState(saved.rng);
  }
}
