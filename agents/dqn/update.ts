/**
 * One DQN gradient step on a replay batch: the targets (targets.ts) from the target network,
 * the Huber loss of Q_online(s, a) against them, weighted for prioritised replay, and an Adam step
 * on the online network's weights.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Adam } from './adam.ts';
import { FRAME_HEIGHT, FRAME_WIDTH } from './network.ts';
import type { ReplayBatch } from './replayBuffer.ts';
import { type MunchausenParams, munchausenTargetsFromQ, tdTargetsFromQ } from './targets.ts';
import type { Tf } from './tfBackend.ts';

export interface UpdateContext {
  tf: Tf;
  online: tfTypes.LayersModel;
  target: tfTypes.LayersModel;
  /**
   * The networks dqnUpdate applies, when they differ from online/target: trainDqn passes views
   * that take the replay memory's pre-scaled pixels (`withoutInputScaling`), same weights.
   */
  inputNets?: { online: tfTypes.LayersModel; target: tfTypes.LayersModel };
  adam: Adam;
  doubleDqn: boolean;
  huberDelta: number;
  /** Raise each target to the batch's `lowerBounds` (the episode's actual return) where known. */
  lowerBound?: boolean;
  /** Munchausen targets instead of (Double) DQN ones, when set. */
  munchausen?: MunchausenParams;
  /** Random-action probability priced into the targets' next value, whichever targets; 0 = off. */
  targetEpsilon?: number;
}

export interface UpdateResult {
  /** The batch's weighted mean Huber loss before the step. */
  loss: number;
  /** Mean Q(s, a) over the batch before the step. */
  qMean: number;
  /** y - Q(s, a) per sample, before the step (prioritised replay's new priorities). */
  tdErrors: Float32Array;
}

/** One gradient step on a replay batch. */
export function dqnUpdate(ctx: UpdateContext, batch: ReplayBatch): UpdateResult {
  const { tf, adam } = ctx;
  const online = ctx.inputNets?.online ?? ctx.online;
  const target = ctx.inputNets?.target ?? ctx.target;
  const epsilon = ctx.targetEpsilon ?? 0;
  const B = batch.size;
  const channels = batch.observations.length / (B * FRAME_HEIGHT * FRAME_WIDTH);
  const shape: [number, number, number, number] = [B, FRAME_HEIGHT, FRAME_WIDTH, channels];
  let taken: tfTypes.Tensor | null = null;
  const out = tf.tidy(() => {
    const obs = tf.tensor4d(batch.observations, shape);
    const nextObs = tf.tensor4d(batch.nextObservations, shape);
    const returns = tf.tensor1d(batch.returns);
    const discounts = tf.tensor1d(batch.discounts);
    const numActions = target.outputs[0].shape[1] as number;
    const mask = tf.oneHot(tf.tensor1d(batch.actions, 'int32'), numActions) as tfTypes.Tensor2D;
    let td: tfTypes.Tensor1D;
    if (ctx.munchausen) {
      // Munchausen needs the target policy at s as well as at s' (in place of Double DQN's
      // online pass at s'). Two passes: one over a concatenated batch ran slower here.
      const qTarget = target.apply(obs) as tfTypes.Tensor2D;
      const qNextTarget = target.apply(nextObs) as tfTypes.Tensor2D;
      td = munchausenTargetsFromQ(
        tf,
        qNextTarget,
        qTarget,
        mask,
        returns,
        discounts,
        ctx.munchausen,
        epsilon,
      );
    } else {
      const qNextTarget = target.apply(nextObs) as tfTypes.Tensor2D;
      const qNextOnline = ctx.doubleDqn ? (online.apply(nextObs) as tfTypes.Tensor2D) : null;
      td = tdTargetsFromQ(tf, qNextTarget, qNextOnline, returns, discounts, epsilon);
    }
    // The return the episode really got bounds Q(s, a) from below (-Infinity where unknown).
    const y = ctx.lowerBound ? tf.maximum(td, tf.tensor1d(batch.lowerBounds)) : td;
    const weights = tf.tensor1d(batch.weights);
    const { value, grads } = tf.variableGrads(() => {
      const q = online.apply(obs, { training: true }) as tfTypes.Tensor2D;
      const qa = q.mul(mask).sum(1);
      taken = tf.keep(qa);
      // Huber loss (Nature's error clipping), weighted for prioritised replay, mean over batch.
      const err = y.sub(qa).abs();
      const quad = tf.minimum(err, ctx.huberDelta);
      const huber = quad.square().mul(0.5).add(err.sub(quad).mul(ctx.huberDelta));
      return huber.mul(weights).mean() as tfTypes.Scalar;
    }, adam.variables);
    adam.apply(adam.variables.map((v) => grads[v.name]));
    const qa = taken as unknown as tfTypes.Tensor;
    return { loss: value, td: y.sub(qa), q: qa.mean() };
  });
  (taken as unknown as tfTypes.Tensor).dispose();
  const result = {
    loss: out.loss.dataSync()[0],
    qMean: out.q.dataSync()[0],
    tdErrors: out.td.dataSync() as Float32Array,
  };
  tf.dispose([out.loss, out.td, out.q]);
  return result;
}
