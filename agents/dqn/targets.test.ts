import { beforeAll, describe, expect, it } from 'vitest';
import { munchausenTargetsFromQ, tdTargetsFromQ } from './targets.ts';
import { getTf, type TfHandle } from './tfBackend.ts';

let handle: TfHandle;
beforeAll(async () => {
  handle = await getTf({ quiet: true });
});

describe('DQN targets', () => {
  it('uses the online argmax with the target values (Double DQN), or the target max (Nature)', () => {
    const { tf } = handle;
    const qNextTarget = tf.tensor2d([
      [1, 5],
      [3, 2],
      [4, 4.5],
    ]);
    const qNextOnline = tf.tensor2d([
      [2, 1],
      [0, 4],
      [9, 1],
    ]);
    const returns = tf.tensor1d([0.5, 1, -1]);
    const discounts = tf.tensor1d([0.9, 0, 0.5]);
    const double = tdTargetsFromQ(tf, qNextTarget, qNextOnline, returns, discounts);
    const nature = tdTargetsFromQ(tf, qNextTarget, null, returns, discounts);
    // Double: a* = [0, 1, 0] -> Q_target = [1, 2, 4]; y = [0.5 + 0.9, 1 + 0, -1 + 2].
    expect(Array.from(double.dataSync())).toEqual(
      [0.5 + 0.9 * 1, 1, -1 + 0.5 * 4].map(Math.fround),
    );
    // Nature: max Q_target = [5, 3, 4.5]; y = [0.5 + 4.5, 1, -1 + 2.25].
    expect(Array.from(nature.dataSync())).toEqual(
      [0.5 + 0.9 * 5, 1, -1 + 0.5 * 4.5].map(Math.fround),
    );
    tf.dispose([qNextTarget, qNextOnline, returns, discounts, double, nature]);
  });

  it('adds the clipped log-policy bonus and the soft next value (Munchausen)', () => {
    const { tf } = handle;
    const tau = 0.03;
    const alpha = 0.9;
    // Row 0: a tie at s' (pi = 1/2 each) and at s (the taken action has pi = 1/2).
    // Row 1: at s the taken action 0 is 3 below the best, tau * log pi ~= -3, clipped to -1;
    //        at s' action 1 is 3 above, so pi ~= [0, 1] and the soft value is ~3.
    // Row 2: terminal (discount 0), the taken action is the best: bonus ~= 0, y = G.
    const qNextTarget = tf.tensor2d([
      [2, 2],
      [0, 3],
      [7, 9],
    ]);
    const qTarget = tf.tensor2d([
      [1, 1],
      [0, 3],
      [5, 1],
    ]);
    const mask = tf.tensor2d([
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    const returns = tf.tensor1d([0.5, 1, -1]);
    const discounts = tf.tensor1d([0.9, 0.9, 0]);
    const y = munchausenTargetsFromQ(tf, qNextTarget, qTarget, mask, returns, discounts, {
      alpha,
      tau,
      clip: -1,
    });
    const halfLog = tau * Math.log(0.5);
    const expected = [0.5 + alpha * halfLog + 0.9 * (2 - halfLog), 1 + alpha * -1 + 0.9 * 3, -1];
    const got = Array.from(y.dataSync());
    for (const [i, v] of got.entries()) expect(v).toBeCloseTo(expected[i], 5);
    // Without the bonus (alpha 0) and at a tiny temperature the target is the Nature max target.
    const hard = munchausenTargetsFromQ(tf, qNextTarget, qTarget, mask, returns, discounts, {
      alpha: 0,
      tau: 1e-4,
      clip: -1,
    });
    const nature = tdTargetsFromQ(tf, qNextTarget, null, returns, discounts);
    const natureY = nature.dataSync();
    for (const [i, v] of hard.dataSync().entries()) expect(v).toBeCloseTo(natureY[i], 3);
    tf.dispose([qNextTarget, qTarget, mask, returns, discounts, y, hard, nature]);
  });

  it('prices random actions into the next value with targetEpsilon (hand-checked batch)', () => {
    const { tf } = handle;
    const qNextTarget = tf.tensor2d([
      [1, 5],
      [3, 2],
    ]);
    const qNextOnline = tf.tensor2d([
      [2, 1],
      [0, 4],
    ]);
    const returns = tf.tensor1d([0.5, 1]);
    const discounts = tf.tensor1d([0.9, 0.5]);
    const eps = 0.1;
    // Double: a* = [0, 1] -> greedy values [1, 2]; means over actions [3, 2.5].
    const double = tdTargetsFromQ(tf, qNextTarget, qNextOnline, returns, discounts, eps);
    const doubleExpected = [0.5 + 0.9 * (0.9 * 1 + 0.1 * 3), 1 + 0.5 * (0.9 * 2 + 0.1 * 2.5)];
    for (const [i, v] of double.dataSync().entries()) expect(v).toBeCloseTo(doubleExpected[i], 5);
    // Nature: max values [5, 3].
    const nature = tdTargetsFromQ(tf, qNextTarget, null, returns, discounts, eps);
    const natureExpected = [0.5 + 0.9 * (0.9 * 5 + 0.1 * 3), 1 + 0.5 * (0.9 * 3 + 0.1 * 2.5)];
    for (const [i, v] of nature.dataSync().entries()) expect(v).toBeCloseTo(natureExpected[i], 5);
    // Munchausen at a tiny temperature and alpha 0: the soft value is the max, so the same.
    const mask = tf.tensor2d([
      [1, 0],
      [1, 0],
    ]);
    const soft = munchausenTargetsFromQ(
      tf,
      qNextTarget,
      qNextTarget,
      mask,
      returns,
      discounts,
      { alpha: 0, tau: 1e-4, clip: -1 },
      eps,
    );
    for (const [i, v] of soft.dataSync().entries()) expect(v).toBeCloseTo(natureExpected[i], 3);
    // epsilon 1: the value of uniformly random play, whatever the greedy choice.
    const random = tdTargetsFromQ(tf, qNextTarget, qNextOnline, returns, discounts, 1);
    const randomExpected = [0.5 + 0.9 * 3, 1 + 0.5 * 2.5];
    for (const [i, v] of random.dataSync().entries()) expect(v).toBeCloseTo(randomExpected[i], 5);
    tf.dispose([qNextTarget, qNextOnline, returns, discounts, double, nature, mask, soft, random]);
  });
});
