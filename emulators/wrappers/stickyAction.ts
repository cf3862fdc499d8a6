/**
 * Sticky actions (Machado et al. 2018): on each step of the env it wraps, with probability
 * `probability`, the previous action is executed instead of the chosen one. This makes the
 * environment stochastic so an agent cannot memorise an open-loop action sequence. ALE draws it on
 * every emulated frame, so `atariPreprocessing` puts this wrapper under the frame skip, on the
 * frame-level env; the action actually executed is reported in `info.executedAction`.
 *
 * With several streams the action holds one controller's action per byte (`packControllers`),
 * and each controller sticks on its own: its own draw from its own stream, in controller order,
 * and its own previous action. So each player of a two-player game gets exactly the one-player
 * convention, whatever the other does.
 */
import { z } from 'zod';
import { controllerAction } from '../actions.ts';
import { ActionWrapper, type Env, type ResetOptions, type ResetResult } from '../core.ts';
import { parseLayerState, restoreState, rngStateSchema, stateOf } from '../envState.ts';
import { UserError } from '../errors.ts';
import { deriveSeed, Rng } from '../rng.ts';
import { gameSeedOf, type StreamSeeding } from './streamSeeding.ts';

const stateSchema = z
  .object({
    layer: z.literal('sticky-action'),
    /** The action the previous step executed (repeated when the next one sticks). */
    previous: z.number().int().min(0),
    /** The stream's state (controller 1's when there are several). */
    rng: rngStateSchema,
    /** The other controllers' streams, in order (only with several streams). */
    laterRngs: z.array(rngStateSchema).min(1).optional(),
    inner: z.unknown(),
  })
  .strict();

export interface StickyActionOptions {
  /**
   * Stream labels (`deriveSeed(seed, label)`), one per controller, controller 1 first (default
   * `['sticky']`: one controller whose action is the whole action number).
   */
  streams?: readonly string[];
  /** When the streams restart (default `whenSeeded`). */
  seeding?: StreamSeeding;
}

export class StickyAction<Obs> extends ActionWrapper<Obs> {
  private readonly labels: readonly string[];
  private readonly rngs: Rng[];
  /** Each controller's previously executed action. */
  private readonly previous: number[];
  private readonly seeding: StreamSeeding;

  constructor(
    env: Env<Obs>,
    /** Repeat probability (ALE v5 default 0.25). */
    readonly probability = 0.25,
    options: StickyActionOptions = {},
  ) {
    super(env);
    if (!(probability >= 0 && probability < 1)) {
      throw new UserError(`sticky action probability must be in [0, 1), got ${probability}`);
    }
    this.labels = options.streams ?? ['sticky'];
    if (this.labels.length < 1 || this.labels.length > 4) {
      throw new UserError(`sticky actions need 1 to 4 streams, got ${this.labels.length}`);
    }
    this.rngs = this.labels.map((label) => new Rng(deriveSeed(0, label)));
    this.previous = this.labels.map(() => 0);
    this.seeding = options.seeding ?? 'whenSeeded';
  }

  override reset(options?: ResetOptions): ResetResult<Obs> {
    if (options?.seed !== undefined) this.seedStreams(options.seed);
    this.previous.fill(0);
    const result = this.env.reset(options);
    if (options?.seed === undefined && this.seeding === 'everyEpisode') {
      this.seedStreams(gameSeedOf(result.info));
    }
    return result;
  }

  action(action: number): number {
    const probability = this.probability;
    const previous = this.previous;
    if (previous.length === 1) {
      if (probability > 0 && this.rngs[0].next() < probability) return previous[0];
      previous[0] = action;
      return action;
    }
    let executed = 0;
    for (let k = 0; k < previous.length; k++) {
      const sticks = probability > 0 && this.rngs[k].next() < probability;
      if (!sticks) previous[k] = controllerAction(action, k);
      executed |= previous[k] << (8 * k);
    }
    return executed >>> 0;
  }

  getState(): z.infer<typeof stateSchema> {
    const inner = stateOf(this.env);
    const [first, ...later] = this.rngs.map((rng) => rng.getState());
    return {
      layer: 'sticky-action',
      previous: this.packedPrevious(),
      rng: first,
      ...(later.length > 0 ? { laterRngs: later } : {}),
      inner,
    };
  }

  setState(state: unknown): void {
    const saved = parseLayerState(stateSchema, state, 'sticky-action');
    const rngs = [saved.rng, ...(saved.laterRngs ?? [])];
    if (rngs.length !== this.rngs.length) {
      throw new UserError(
        `cannot restore ${rngs.length}-controller sticky actions into ${this.rngs.length}-controller ones`,
        'BAD_ENV_STATE',
      );
    }
    restoreState(this.env, saved.inner);
    for (let k = 0; k < this.previous.length; k++) {
      this.previous[k] =
        this.previous.length === 1 ? saved.previous : controllerAction(saved.previous, k);
    }
    for (const [k, rng] of rngs.entries()) this.rngs[k].setState(rng);
  }

  private seedStreams(seed: number): void {
    for (const [k, label] of this.labels.entries()) this.rngs[k].seed(deriveSeed(seed, label));
  }

  private packedPrevious(): number {
    if (this.previous.length === 1) return this.previous[0];
    let packed = 0;
    for (let k = 0; k < this.previous.length; k++) packed |= this.previous[k] << (8 * k);
    return packed >>> 0;
  }
}
