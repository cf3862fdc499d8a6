import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../emulators/rng.ts';
import { Adam } from './adam.ts';
import { buildQNetwork } from './network.ts';
import type { ReplayBatch } from './replayBuffer.ts';
import { type MunchausenParams, munchausenTargetsFromQ, tdTargetsFromQ } from './targets.ts';
import { getTf, type TfHandle } from './tfBackend.ts';
import { dqnUpdate } from './update.ts';

let handle: TfHandle;
beforeAll(async () => {
  handle = await getTf({ quiet: true });
});

/** A batch of random pixels with the given per-sample fields (every other field neutral). */
function pixelBatch(
  seed: number,
  fields: Pick<ReplayBatch, 'actions' | 'returns' | 'discounts'> & Partial<ReplayBatch>,
): ReplayBatch {
  const rng = new Rng(seed);
  const B = fields.actions.length;
  const size = B * 84 * 84 * 4;
  return {
    size: B,
    observations: Float32Array.from({ length: size }, () => rng.int(256)),
    nextObservations: Float32Array.from({ length: size }, () => rng.int(256)),
    weights: new Float32Array(B).fill(1),
    indices: Int32Array.from({ length: B }, (_, i) => i),
    lowerBounds: new Float32Array(B).fill(Number.NEGATIVE_INFINITY),
    ...fields,
  };
}

describe('dqnUpdate', () => {
  it.each([
    { targets: 'Double DQN', munchausen: undefined },
    { targets: 'Munchausen', munchausen: { alpha: 0.9, tau: 0.03, clip: -1 } },
  ])(
    'changes the weights, reports a finite loss and leaves no tensor behind ($targets)',
    ({ munchausen }) => {
      const { tf } = handle;
      const online = buildQNetwork(tf, { net: 'small', numActions: 3, seed: 1 });
      const target = buildQNetwork(tf, { net: 'small', numActions: 3, seed: 2 });
      const adam = new Adam(
        tf,
        online.trainableWeights.map((w) => w.read() as never),
        { learningRate: 1e-3 },
      );
      const B = 2;
      const batch = pixelBatch(4, {
        actions: Int32Array.from([0, 2]),
        returns: Float32Array.from([1, -1]),
        discounts: Float32Array.from([0.99, 0]),
      });
      const ctx = { tf, online, target, adam, doubleDqn: true, huberDelta: 1, munchausen };
      dqnUpdate(ctx, batch); // the first step may allocate nothing new either, but warm up anyway
      const before = tf.memory().numTensors;
      const weightsBefore = online.getWeights().map((w) => w.dataSync().slice());
      const out = dqnUpdate(ctx, batch);
      expect(tf.memory().numTensors).toBe(before);
      expect(Number.isFinite(out.loss)).toBe(true);
      expect(out.tdErrors).toHaveLength(B);
      expect(
        online.getWeights().some((w, i) => w.dataSync().some((x, j) => x !== weightsBefore[i][j])),
      ).toBe(true);
      // The step size in force when the update runs is the one used: at 0 the weights stay.
      adam.learningRate = 0;
      const weightsAtZero = online.getWeights().map((w) => w.dataSync().slice());
      dqnUpdate(ctx, batch);
      expect(
        online
          .getWeights()
          .every((w, i) => w.dataSync().every((x, j) => x === weightsAtZero[i][j])),
      ).toBe(true);
      adam.dispose();
      online.dispose();
      target.dispose();
    },
  );

  it.each([
    { targets: 'Double DQN', munchausen: undefined },
    { targets: 'Munchausen', munchausen: { alpha: 0.9, tau: 0.03, clip: -1 } },
  ])(
    "prices targetEpsilon's random actions into the next value ($targets)",
    ({ munchausen }: { munchausen?: MunchausenParams }) => {
      const { tf } = handle;
      const batch = pixelBatch(6, {
        actions: Int32Array.from([1, 0, 2]),
        returns: Float32Array.from([0.5, 1, -1]),
        discounts: Float32Array.from([0.97, 0.5, 0]),
      });
      const nets = () => ({
        online: buildQNetwork(tf, { net: 'small', numActions: 3, seed: 1 }),
        target: buildQNetwork(tf, { net: 'small', numActions: 3, seed: 2 }),
      });
      /** TD errors y - Q(s, a) of one step from fresh networks (so Q(s, a) is the same). */
      const errors = (targetEpsilon: number) => {
        const { online, target } = nets();
        const adam = new Adam(
          tf,
          online.trainableWeights.map((w) => w.read() as never),
          { learningRate: 1e-3 },
        );
        const ctx = { tf, online, target, adam, doubleDqn: true, huberDelta: 1, munchausen };
        const out = dqnUpdate({ ...ctx, targetEpsilon }, batch);
        adam.dispose();
        online.dispose();
        target.dispose();
        return out.tdErrors;
      };
      /** The targets straight from targets.ts, with the same fresh networks. */
      const targets = (epsilon: number) => {
        const { online, target } = nets();
        const y = tf.tidy(() => {
          const shape: [number, number, number, number] = [batch.size, 84, 84, 4];
          const obs = tf.tensor4d(batch.observations, shape);
          const nextObs = tf.tensor4d(batch.nextObservations, shape);
          const returns = tf.tensor1d(batch.returns);
          const discounts = tf.tensor1d(batch.discounts);
          const qNextTarget = target.predict(nextObs) as never;
          if (!munchausen) {
            const qNextOnline = online.predict(nextObs) as never;
            return tdTargetsFromQ(tf, qNextTarget, qNextOnline, returns, discounts, epsilon);
          }
          const mask = tf.oneHot(tf.tensor1d(batch.actions, 'int32'), 3) as never;
          const qTarget = target.predict(obs) as never;
          return munchausenTargetsFromQ(
            tf,
            qNextTarget,
            qTarget,
            mask,
            returns,
            discounts,
            munchausen,
            epsilon,
          );
        });
        const values = Array.from(y.dataSync());
        y.dispose();
        online.dispose();
        target.dispose();
        return values;
      };
      const greedy = errors(0);
      const priced = errors(0.5);
      const [y0, y5] = [targets(0), targets(0.5)];
      // Same Q(s, a) in both steps: the errors move exactly as the targets do.
      for (let i = 0; i < batch.size; i++) {
        expect(priced[i] - greedy[i]).toBeCloseTo(y5[i] - y0[i], 4);
      }
      // A terminal sample (discount 0) has no next value to price.
      expect(priced[2]).toBe(greedy[2]);
      expect(y5.slice(0, 2).some((v, i) => Math.abs(v - y0[i]) > 1e-3)).toBe(true);
    },
  );
});

describe('Monte Carlo lower-bounded targets', () => {
  it('raise a target to the return the episode got, and only where that is higher', () => {
    const { tf } = handle;
    const batch = pixelBatch(8, {
      actions: Int32Array.from([0, 1, 2]),
      // Sample 0 ended its episode: its TD target is exactly its return, 0.5.
      returns: Float32Array.from([0.5, 1, 0]),
      discounts: Float32Array.from([0, 0.97, 0.97]),
      // A bound above the target, one far below, one unknown.
      lowerBounds: Float32Array.from([50, -50, Number.NEGATIVE_INFINITY]),
    });
    /** TD errors (y - Q(s, a)) from identical fresh networks, with or without the bound. */
    const errors = (lowerBound: boolean) => {
      const online = buildQNetwork(tf, { net: 'small', numActions: 3, seed: 1 });
      const target = buildQNetwork(tf, { net: 'small', numActions: 3, seed: 2 });
      const adam = new Adam(
        tf,
        online.trainableWeights.map((w) => w.read() as never),
        { learningRate: 1e-3 },
      );
      const ctx = { tf, online, target, adam, doubleDqn: true, huberDelta: 1, lowerBound };
      const out = dqnUpdate(ctx, batch);
      adam.dispose();
      online.dispose();
      target.dispose();
      return out.tdErrors;
    };
    const plain = errors(false);
    const bounded = errors(true);
    // Sample 0: y = 50 instead of 0.5 with the same Q(s, a) (same networks), so the error grows
    // by 49.5.
    expect(bounded[0] - plain[0]).toBeCloseTo(49.5, 4);
    // Samples 1 and 2: the bound is below the target or unknown, so nothing changes.
    expect(bounded[1]).toBe(plain[1]);
    expect(bounded[2]).toBe(plain[2]);
  });
});
