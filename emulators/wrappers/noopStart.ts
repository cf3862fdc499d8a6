/**
 * Random no-op starts (Mnih et al. 2015): after each reset, take a random number of NOOP steps in
 * [0, noopMax] so episodes do not all begin from the same state.
 */
import { z } from 'zod';
import { type Env, type ResetOptions, type ResetResult, Wrapper } from '../core.ts';
import { parseLayerState, restoreState, rngStateSchema, stateOf } from '../envState.ts';
import { UserError } from '../errors.ts';
import { deriveSeed, Rng } from '../rng.ts';

const stateSchema = z
  .object({ layer: z.literal('noop-start'), rng: rngStateSchema, inner: z.unknown() })
  .strict();

export class NoopStart<Obs> extends Wrapper<Obs> {
  private readonly rng = new Rng(deriveSeed(0, 'noop'));

  constructor(
    env: Env<Obs>,
    /** The most no-op steps taken after a reset (Nature DQN: 30). */
    readonly noopMax = 30,
    /** The index of NOOP in the action set. */
    readonly noopAction = 0,
  ) {
    super(env);
    if (!Number.isInteger(noopMax) || noopMax < 0)
      throw new UserError(`noopMax must be an integer >= 0, got ${noopMax}`);
    const name = env.actionSpace.names[noopAction];
    if (name !== 'NOOP')
      throw new UserError(`no-op starts need action ${noopAction} to be NOOP, it is ${name}`);
  }

  override reset(options?: ResetOptions): ResetResult<Obs> {
    if (options?.seed !== undefined) this.rng.seed(deriveSeed(options.seed, 'noop'));
    let result = this.env.reset(options);
    const noops = this.rng.int(this.noopMax + 1);
    for (let i = 0; i < noops; i++) {
      const step = this.env.step(this.noopAction);
      if (step.terminated || step.truncated) {
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
