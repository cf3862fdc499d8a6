/**
 * Adam (Kingma & Ba 2015) over an explicit list of variables, written out so that its whole state
 * (step count and both moment estimates) can be saved and restored exactly: tfjs's own optimiser
 * rebuilds its bias-correction powers with `pow` on restore, which is not bit-identical to the
 * running products, and a resumed run would drift from an uninterrupted one.
 *
 * Update, as in PyTorch: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * w -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps).
 * On the fast-cpu and cpu backends each variable's step is one fused kernel
 * (agents/backend/adamKernel.ts) that gives the same bits as the ops written out here.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { adamStep, hasAdamStepKernel } from '../backend/adamKernel.ts';
import type { Tf } from './tfBackend.ts';

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** false: always the op-by-op form, even where the fused kernel exists (tests compare them). */
  fused?: boolean;
}

export interface AdamState {
  step: number;
  /** First then second moments, one Float32Array per variable, in variable order. */
  moments: Float32Array[];
}

export class Adam {
  private readonly m: tfTypes.Variable[];
  private readonly v: tfTypes.Variable[];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  step = 0;
  /** The step size of the next update; a schedule may change it between updates. */
  learningRate: number;

  constructor(
    private readonly tf: Tf,
    readonly variables: tfTypes.Variable[],
    private readonly options: AdamOptions,
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.learningRate = options.learningRate;
    // Inside tidy so the zero tensors the variables are made from do not outlive them.
    this.m = variables.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
    this.v = variables.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
  }

  /** Applies one update; `grads[i]` is the gradient of `variables[i]`. Does not dispose grads. */
  apply(grads: tfTypes.Tensor[]): void {
    const tf = this.tf;
    this.step++;
    // Scalars computed in float64 on the host, once per step.
    const lrT = this.learningRate / (1 - this.beta1 ** this.step);
    const bc2 = 1 - this.beta2 ** this.step;
    const fused = this.options.fused !== false && hasAdamStepKernel();
    tf.tidy(() => {
      this.variables.forEach((w, i) => {
        const g = grads[i];
        if (fused) {
          const attrs = { beta1: this.beta1, beta2: this.beta2, lrT, bc2, epsilon: this.epsilon };
          const [w2, m2, v2] = adamStep(w, g, this.m[i], this.v[i], attrs);
          this.m[i].assign(m2);
          this.v[i].assign(v2);
          w.assign(w2);
          return;
        }
        const m = this.m[i].mul(this.beta1).add(g.mul(1 - this.beta1));
        const v = this.v[i].mul(this.beta2).add(g.square().mul(1 - this.beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        w.assign(w.sub(m.mul(lrT).div(v.div(bc2).sqrt().add(this.epsilon))));
      });
    });
  }

  getState(): AdamState {
    return {
      step: this.step,
      moments: [...this.m, ...this.v].map((t) => t.dataSync() as Float32Array),
    };
  }

  setState(state: AdamState): void {
    const n = this.variables.length;
    if (state.moments.length !== 2 * n)
      throw new Error('optimizer state does not match the network');
    this.step = state.step;
    [...this.m, ...this.v].forEach((t, i) => {
      const values = this.tf.tensor(state.moments[i], t.shape, 'float32');
      t.assign(values);
      values.dispose();
    });
  }

  dispose(): void {
    this.tf.dispose([...this.m, ...this.v]);
  }
}
