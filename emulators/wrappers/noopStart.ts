/**
 * Random no-op starts (Mnih et al. 2015): after each reset, take a random number of NOOP steps in
 * [0, noopMax] so episodes do not all begin from the same state.
 */
import { z } from 'zod';
import { type Env, type ResetOptions, type ResetResult, Wrapper } from '../core.ts';
import { parseLayerState, restoreState, rngStateSchema, stateOf } from '../envState.ts';
import { UserError } from '../errors.ts';
import { deriveSeed, Rng } from '../rng.ts';
import { gameSeedOf, type StreamSeeding } from './streamSeeding.ts';

const stateSchema = z
  .object({ layer: z.literal('noop-start'), rng: rngStateSchema, inner: z.unknown() })
  .strict();

export interface NoopStartOptions {
  /** The index of NOOP in the action set (default 0). */
  noopAction?: number;
  /** When the stream restarts (default `whenSeeded`). */
  seeding?: StreamSeeding;
  /**
   * Called when the episode ends during the no-ops, before the env is reset and the no-ops go
   * on; throw to refuse such a start instead.
   */
  onEndedDuringNoops?: () => void;
}

export class NoopStart<Obs> extends Wrapper<Obs> {
  readonly noopAction: number;
  private readonly rng = new Rng(deriveSeed(0, 'noop'));
  private readonly seeding: StreamSeeding;
  private readonly onEndedDuringNoops: (() => void) | undefined;

  constructor(
    env: Env<Obs>,
    /** The most no-op steps taken after a reset (Nature DQN: 30). */
    readonly noopMax = 30,
    options: NoopStartOptions = {},
  ) {
    super(env);
    this.noopAction = options.noopAction ?? 0;
    this.seeding = options.seeding ?? 'whenSeeded';
    this.onEndedDuringNoops = options.onEndedDuringNoops;
    if (!Number.isInteger(noopMax) || noopMax < 0)
      throw new UserError(`noopMax must be an integer >= 0, got ${noopMax}`);
    const name = env.actionSpace.names[this.noopAction];
    if (name !== 'NOOP')
      throw new UserError(`no-op starts need action ${this.noopAction} to be NOOP, it is ${name}`);
  }

  override reset(options?: ResetOptions): ResetResult<Obs> {
    if (options?.seed !== undefined) this.rng.seed(deriveSeed(options.seed, 'noop'));
    let result = this.env.reset(options);
    if (options?.seed === undefined && this.seeding === 'everyEpisode') {
      this.rng.seed(deriveSeed(gameSeedOf(result.info), 'noop'));
    }
    const noops = this.rng.int(this.noopMax + 1);
    for (let i = 0; i < noops; i++) {
      const step = this.env.step(this.noopAction);
      if (step.terminated || step.truncated) {
        this.onEndedDuringNoops?.();
        result = this.env.reset();
      } else {
        result = { observation: step.observation, info: step.info };
      }
    }
    return result;
  }

  getState(): z.infer<typeof stateSchema> {
    return { layer: 'noop-start', rng: this.rng.getState(), inner: stateOf(this.env) };
  }

  setState(state: unknown): void {
    const saved = parseLayerState(stateSchema, state, 'noop-start');
    restoreState(this.env, saved.inner);
    this.rng.setState(saved.rng);
  }
}
