/**
 * The DQN agent: epsilon-greedy over a Q-network, one forward pass per batch of observations.
 * Observations arrive as CHW stacks (see `agents/agent.ts`); they are converted to the network's
 * NHWC float layout here, into a buffer reused across calls.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { Rng } from '../../emulators/rng.ts';
import type { Agent } from '../agent.ts';
import { chwToNhwc, FRAME_HEIGHT, FRAME_SIZE, FRAME_WIDTH } from './network.ts';
import type { Tf } from './tfBackend.ts';

export interface DqnAgentOptions {
  tf: Tf;
  model: tfTypes.LayersModel;
  numActions: number;
  /** Probability of a uniformly random action (0 = greedy). */
  epsilon?: number;
  /** Generator for exploration; seed it for reproducible runs. */
  rng?: Rng;
  name?: string;
  frameStack?: number;
}

export class DqnAgent implements Agent {
  readonly name: string;
  readonly numActions: number;
  readonly model: tfTypes.LayersModel;
  epsilon: number;
  private readonly tf: Tf;
  private readonly rng: Rng;
  private readonly frameStack: number;
  private input = new Float32Array(0);
  private explore = new Uint8Array(0);
  private readonly single = new Int32Array(1);

  constructor(options: DqnAgentOptions) {
    this.tf = options.tf;
    this.model = options.model;
    this.numActions = options.numActions;
    this.epsilon = options.epsilon ?? 0;
    this.rng = options.rng ?? new Rng(0);
    this.name = options.name ?? 'dqn';
    this.frameStack = options.frameStack ?? 4;
    const outUnits = this.model.outputs[0].shape[1];
    if (outUnits !== this.numActions) {
      throw new Error(`model has ${outUnits} outputs but the agent has ${this.numActions} actions`);
    }
  }

  act(observation: Uint8Array): number {
    this.actBatch(observation, 1, this.single);
    return this.single[0];
  }

  actBatch(observations: Uint8Array, count: number, out: Int32Array): void {
    // Exploration draws come first, in env order, so the random stream does not depend on Q.
    if (this.explore.length < count) this.explore = new Uint8Array(count);
    let greedy = 0;
    for (let i = 0; i < count; i++) {
      const random = this.epsilon > 0 && this.rng.next() < this.epsilon;
      this.explore[i] = random ? 1 : 0;
      if (random) out[i] = this.rng.int(this.numActions);
      else greedy++;
    }
    if (greedy === 0) return;
    const q = this.qValuesBatch(observations, count);
    const n = this.numActions;
    for (let i = 0; i < count; i++) {
      if (this.explore[i]) continue;
      let best = 0;
      for (let a = 1; a < n; a++) if (q[i * n + a] > q[i * n + best]) best = a;
      out[i] = best;
    }
  }

  qValues(observation: Uint8Array): Float32Array {
    return this.qValuesBatch(observation, 1);
  }

  /** Q-values for `count` CHW observations, row-major [count, numActions]. */
  qValuesBatch(observations: Uint8Array, count: number): Float32Array {
    const size = count * this.frameStack * FRAME_SIZE;
    if (this.input.length < size) this.input = new Float32Array(size);
    const input = this.input.subarray(0, size);
    chwToNhwc(observations, count, input, this.frameStack);
    const tf = this.tf;
    return tf.tidy(() => {
      const x = tf.tensor4d(input, [count, FRAME_HEIGHT, FRAME_WIDTH, this.frameStack]);
      return (this.model.apply(x) as tfTypes.Tensor).dataSync() as Float32Array;
    });
  }

  dispose(): void {
    this.model.dispose();
  }
}
