/**
 * A same-thread vector env over any `Env` with the `VectorEnv` contract (same-step autoreset,
 * result views reused between calls) that can also save and restore its full state when the
 * inner envs can (`getState`/`setState`), which the exact-resume test needs.
 */
import type { Env } from '../../emulators/core.ts';
import {
  createVectorBuffers,
  type VectorBuffers,
  type VectorEnv,
  type VectorResetOptions,
  type VectorStepResult,
} from '../../emulators/vector/vectorEnv.ts';

interface StatefulEnv extends Env {
  getState(): unknown;
  setState(state: unknown): void;
}

export class FakeVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly obsSize: number;
  private readonly buffers: VectorBuffers;
  private readonly returns: Float64Array;
  private readonly lengths: Int32Array;
  closed = false;

  constructor(private readonly envs: StatefulEnv[]) {
    this.numEnvs = envs.length;
    this.obsSize = envs[0].observationSpace.shape.reduce((a, b) => a * b, 1);
    this.buffers = createVectorBuffers(this.numEnvs, this.obsSize);
    this.returns = new Float64Array(this.numEnvs);
    this.lengths = new Int32Array(this.numEnvs);
  }

  get observationSpace() {
    return this.envs[0].observationSpace;
  }

  get actionSpace() {
    return this.envs[0].actionSpace;
  }

  reset(options: VectorResetOptions = {}): VectorStepResult {
    const r = this.buffers.result;
    this.envs.forEach((env, i) => {
      const { observation, info } = env.reset(
        options.seed === undefined ? undefined : { seed: options.seed + i },
      );
      r.observations.set(observation, i * this.obsSize);
      r.scores[i] = info.score;
    });
    r.rewards.fill(0);
    r.terminated.fill(0);
    r.truncated.fill(0);
    this.returns.fill(0);
    this.lengths.fill(0);
    return r;
  }

  step(actions: Int32Array): VectorStepResult {
    const r = this.buffers.result;
    this.envs.forEach((env, i) => {
      const s = env.step(actions[i]);
      r.rewards[i] = s.reward;
      r.terminated[i] = s.terminated ? 1 : 0;
      r.truncated[i] = s.truncated ? 1 : 0;
      this.returns[i] += s.reward;
      this.lengths[i]++;
      r.finalReturns[i] = 0;
      r.finalLengths[i] = 0;
      let observation = s.observation;
      if (s.terminated || s.truncated) {
        r.finalReturns[i] = this.returns[i];
        r.finalLengths[i] = this.lengths[i];
        this.returns[i] = 0;
        this.lengths[i] = 0;
        observation = env.reset().observation;
      }
      r.observations.set(observation, i * this.obsSize);
    });
    return r;
  }

  async stepAsync(actions: Int32Array): Promise<VectorStepResult> {
    return this.step(actions);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const env of this.envs) env.close();
  }

  getState(): unknown {
    return {
      envs: this.envs.map((e) => e.getState()),
      returns: [...this.returns],
      lengths: [...this.lengths],
    };
  }

  setState(state: unknown): void {
    const s = state as { envs: unknown[]; returns: number[]; lengths: number[] };
    this.envs.forEach((e, i) => {
      e.setState(s.envs[i]);
    });
    this.returns.set(s.returns);
    this.lengths.set(s.lengths);
  }
}
