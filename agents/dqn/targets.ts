/**
 * The regression targets y of a DQN gradient step, from Q-values already computed:
 * - (Double) DQN targets, `tdTargetsFromQ` (Mnih et al. 2015; van Hasselt et al. 2016);
 * - Munchausen targets, `munchausenTargetsFromQ` (Vieillard, Pietquin and Geist 2020).
 * Both take n-step returns as they come out of the replay memory: `returns` holds
 * G = r_t + gamma r_{t+1} + ... + gamma^{n-1} r_{t+n-1} and `discounts` holds gamma^n, or 0 where
 * the episode terminated within the n steps. Both take `epsilon`, the random-action probability
 * priced into the next state's value (see `withRandomActions`; `targetEpsilon` in the config).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from './tfBackend.ts';

/**
 * TD targets y = G + discount * Q_target(s', a*), where a* = argmax_a Q_online(s', a) for Double
 * DQN (pass `qNextOnline`) or argmax_a Q_target(s', a) for the Nature target (pass null).
 * With `epsilon` > 0 the next value is that of epsilon-greedy play,
 * (1 - epsilon) * Q_target(s', a*) + epsilon * mean_a Q_target(s', a).
 */
export function tdTargetsFromQ(
  tf: Tf,
  qNextTarget: tfTypes.Tensor2D,
  qNextOnline: tfTypes.Tensor2D | null,
  returns: tfTypes.Tensor1D,
  discounts: tfTypes.Tensor1D,
  epsilon = 0,
): tfTypes.Tensor1D {
  return tf.tidy(() => {
    const numActions = qNextTarget.shape[1];
    const greedy = qNextOnline
      ? qNextTarget.mul(tf.oneHot(qNextOnline.argMax(1), numActions)).sum(1)
      : qNextTarget.max(1);
    const next = withRandomActions(greedy as tfTypes.Tensor1D, qNextTarget, epsilon);
    return returns.add(discounts.mul(next)) as tfTypes.Tensor1D;
  });
}

/** The Munchausen options of the config (`munchausenAlpha`, `munchausenTau`, `munchausenClip`). */
export interface MunchausenParams {
  /** Scale of the log-policy bonus (alpha). */
  alpha: number;
  /** Softmax temperature (tau). */
  tau: number;
  /** Lower clip of tau * log pi in the bonus (l0). */
  clip: number;
}

/**
 * Munchausen targets, with pi = softmax(Q_target / tau):
 *   y = G + alpha * clip(tau * log pi(a|s), l0, 0)
 *         + discount * sum_a' pi(a'|s') * (Q_target(s', a') - tau * log pi(a'|s')).
 * The bonus rewards the action the target policy would take (it widens the action gap and acts
 * as an implicit KL penalty between successive policies); the soft next value adds an entropy
 * term. With n-step returns G holds the n rewards and the bonus is for the first action only.
 * With `epsilon` > 0 the next value is (1 - epsilon) * that soft value + epsilon *
 * mean_a' Q_target(s', a'): a random action, which has no entropy bonus, with that probability.
 * `actionMask` is one-hot [batch, actions] of the actions taken.
 */
export function munchausenTargetsFromQ(
  tf: Tf,
  qNextTarget: tfTypes.Tensor2D,
  qTarget: tfTypes.Tensor2D,
  actionMask: tfTypes.Tensor2D,
  returns: tfTypes.Tensor1D,
  discounts: tfTypes.Tensor1D,
  params: MunchausenParams,
  epsilon = 0,
): tfTypes.Tensor1D {
  return tf.tidy(() => {
    // tau * log softmax(q / tau), computed stably from q - max(q).
    const tauLogPolicy = (q: tfTypes.Tensor2D) => {
      const centred = q.sub(q.max(1, true));
      const logSumExp = centred.div(params.tau).exp().sum(1, true).log();
      return centred.sub(logSumExp.mul(params.tau));
    };
    const nextTauLogPi = tauLogPolicy(qNextTarget);
    const nextPi = nextTauLogPi.div(params.tau).exp();
    const softNext = withRandomActions(
      nextPi.mul(qNextTarget.sub(nextTauLogPi)).sum(1) as tfTypes.Tensor1D,
      qNextTarget,
      epsilon,
    );
    const takenTauLogPi = tauLogPolicy(qTarget).mul(actionMask).sum(1);
    const bonus = takenTauLogPi.clipByValue(params.clip, 0).mul(params.alpha);
    return returns.add(bonus).add(discounts.mul(softNext)) as tfTypes.Tensor1D;
  });
}

/**
 * The value of a state when the policy worth `value` there is followed with probability
 * 1 - epsilon and a uniformly random action is taken otherwise (expected SARSA over an
 * epsilon-greedy policy). Q-learning's max assumes flawless play afterwards and so learns plans
 * one random action ruins; the arena evaluates with epsilon = 0.05, and this target prices that in.
 */
function withRandomActions(
  value: tfTypes.Tensor1D,
  q: tfTypes.Tensor2D,
  epsilon: number,
): tfTypes.Tensor1D {
  if (epsilon === 0) return value;
  return value.mul(1 - epsilon).add(q.mean(1).mul(epsilon)) as tfTypes.Tensor1D;
}
