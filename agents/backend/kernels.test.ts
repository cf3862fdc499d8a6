// fast-cpu against tfjs's reference cpu backend: every kernel fast-cpu replaces,
// forward and gradient, on random shapes plus those of the Nature and small DQN
// nets; an end-to-end training run; a tensor-leak check; buffer-pool aliasing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../emulators/rng.ts';
import { ELEMENTWISE_KERNELS } from './elementwise.ts';
import { initBackend } from './index.ts';
import { FAST_CPU, NATIVE_KERNELS, registerFastCpu } from './kernels.ts';
import { loadAddon } from './native.ts';
import { poolOf } from './pool.ts';
import { disposeBatch, makeTrainer, type QNetSpec, randomBatch } from './workload.ts';

const { addon, error } = loadAddon();
const inCi = process.env.CI === 'true';
/** Whether this build's convolutions can run on oneDNN (built against libdnnl-dev). */
const hasDnnl = addon?.features?.().dnnl === true;

describe('fast-cpu addon availability', () => {
  it('is built (required in CI)', () => {
    if (!addon) {
      const msg = `fast-cpu kernel tests skipped: ${error}. Build it: npm run build:native`;
      if (inCi) throw new Error(msg);
      console.warn(msg);
    }
  });

  it('has oneDNN convolutions (required in CI, where .ci/run installs libdnnl-dev)', () => {
    if (addon && !hasDnnl) {
      const msg =
        'fast-cpu addon built without oneDNN: apt-get install libdnnl-dev, then npm run build:native -- --force';
      if (inCi) throw new Error(msg);
      console.warn(msg);
    }
  });
});

type Arrays = Float32Array[];

/** Runs `fn` on cpu and on fast-cpu; returns each run's outputs as flat arrays. */
function onBoth(fn: () => tf.Tensor | tf.Tensor[]): { ref: Arrays; fast: Arrays } {
  const run = (backend: string): Arrays => {
    // Both backends are already initialised, so the switch completes synchronously.
    tf.setBackend(backend);
    return tf.tidy(() => {
      const out = fn();
      return (Array.isArray(out) ? out : [out]).map((t) => Float32Array.from(t.dataSync()));
    });
  };
  const ref = run('cpu');
  const fast = run(FAST_CPU);
  tf.setBackend(FAST_CPU);
  return { ref, fast };
}

/** max |a - b| <= tol * max(1, max |b|): float32 error grows with the magnitude summed. */
function expectClose(fast: Arrays, ref: Arrays, tol = 2e-5, label = ''): void {
  expect(fast.length).toBe(ref.length);
  ref.forEach((r, i) => {
    const f = fast[i];
    expect(f.length, `${label} output ${i} length`).toBe(r.length);
    let scale = 1;
    let worst = 0;
    for (let j = 0; j < r.length; j++) {
      const a = f[j];
      const b = r[j];
      if (!Number.isFinite(b)) {
        expect(
          Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)),
          `${label} [${i}][${j}]`,
        ).toBe(true);
        continue;
      }
      scale = Math.max(scale, Math.abs(b));
      worst = Math.max(worst, Math.abs(a - b));
    }
    expect(worst, `${label} output ${i}: max error ${worst} vs scale ${scale}`).toBeLessThanOrEqual(
      tol * scale,
    );
  });
}

function randn(rng: Rng, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng.next() * 2 - 1) * scale;
  return out;
}

function rnd(rng: Rng, shape: number[], scale = 1): () => tf.Tensor {
  const data = randn(rng, tf.util.sizeFromShape(shape), scale);
  return () => tf.tensor(data, shape);
}

interface ConvCase {
  x: [number, number, number, number];
  k: number;
  oc: number;
  stride: number;
  pad: 'valid' | 'same';
  label: string;
}

const DQN_CONVS: ConvCase[] = [
  { x: [1, 84, 84, 4], k: 8, oc: 32, stride: 4, pad: 'valid', label: 'nature conv1' },
  { x: [1, 20, 20, 32], k: 4, oc: 64, stride: 2, pad: 'valid', label: 'nature conv2' },
  { x: [2, 7, 7, 64], k: 3, oc: 64, stride: 1, pad: 'valid', label: 'nature conv3' },
  { x: [1, 84, 84, 4], k: 8, oc: 16, stride: 4, pad: 'valid', label: 'small conv1' },
  { x: [1, 20, 20, 16], k: 4, oc: 32, stride: 2, pad: 'valid', label: 'small conv2' },
  { x: [3, 6, 6, 5], k: 1, oc: 7, stride: 1, pad: 'valid', label: 'pointwise' },
  // Kernel = 2 x stride takes the block (space-to-depth) path: several chunks of images (the
  // filter gradient accumulates across them), sizes the stride does not divide, odd strides,
  // 'same' padding with and without a top/left pad.
  { x: [5, 84, 84, 4], k: 8, oc: 16, stride: 4, pad: 'valid', label: 'block, 2 chunks' },
  { x: [14, 20, 20, 16], k: 4, oc: 32, stride: 2, pad: 'valid', label: 'block, small conv2 x14' },
  { x: [2, 23, 22, 3], k: 6, oc: 5, stride: 3, pad: 'valid', label: 'block, ragged edges' },
  { x: [2, 12, 12, 2], k: 4, oc: 3, stride: 2, pad: 'same', label: 'block shape, same pad' },
  { x: [1, 9, 11, 2], k: 4, oc: 3, stride: 2, pad: 'same', label: 'block shape, bottom pad' },
];

function randomConvCases(seed: number, count: number): ConvCase[] {
  const rng = new Rng(seed);
  const cases: ConvCase[] = [];
  for (let i = 0; i < count; i++) {
    const k = 1 + rng.int(5);
    const h = k + rng.int(9);
    const w = k + rng.int(9);
    cases.push({
      x: [1 + rng.int(3), h, w, 1 + rng.int(6)],
      k,
      oc: 1 + rng.int(9),
      stride: 1 + rng.int(3),
      pad: rng.next() < 0.5 ? 'same' : 'valid',
      label: `random #${i}`,
    });
  }
  return cases;
}

const TINY: QNetSpec = {
  convs: [
    [8, 8, 4],
    [16, 4, 2],
  ],
  dense: 32,
  actions: 4,
  input: [36, 36, 4],
};

describe.skipIf(!addon)('fast-cpu kernels match the cpu backend', () => {
  beforeAll(async () => {
    // Poisoned recycling: a kernel that leaves part of a reused output unwritten shows up as NaN.
    registerFastCpu(addon!, 2, { poison: true });
    // Split the addon's own loops too (default is one thread), so the threaded paths are checked;
    // small tensors still take the inline path.
    addon!.setLoopThreads(2);
    await initBackend({ backend: 'fast-cpu', quiet: true, threads: 2 });
  });

  it('registers every cpu kernel and replaces the hot ones', () => {
    const cpu = tf.getKernelsForBackend('cpu').map((k) => k.kernelName);
    const fast = new Map(tf.getKernelsForBackend(FAST_CPU).map((k) => [k.kernelName, k]));
    for (const name of cpu) expect(fast.has(name), name).toBe(true);
    for (const name of [...NATIVE_KERNELS, ...ELEMENTWISE_KERNELS]) {
      expect(fast.get(name)?.kernelFunc, name).not.toBe(tf.getKernel(name, 'cpu').kernelFunc);
    }
  });

  const convCases = [...DQN_CONVS, ...randomConvCases(11, 14)];
  // Every case on each convolution path this build has: oneDNN's primitives where the addon was
  // built with them (the default then), and the block / im2col + OpenBLAS paths, which machines
  // without libdnnl-dev run.
  const convPaths: { name: string; dnnl: boolean }[] = [
    ...(hasDnnl ? [{ name: 'oneDNN', dnnl: true }] : []),
    { name: 'OpenBLAS', dnnl: false },
  ];
  for (const path of convPaths) {
    for (const c of convCases) {
      it(`conv2d forward and gradients (${path.name}): ${c.label} x=${c.x} k=${c.k} oc=${c.oc} s=${c.stride} ${c.pad}`, () => {
        addon!.setDnnl?.(path.dnnl);
        try {
          const rng = new Rng(c.x.reduce((a, b) => a * 31 + b, c.k * 7 + c.oc));
          const x = rnd(rng, c.x);
          const f = rnd(rng, [c.k, c.k, c.x[3], c.oc], 0.5);
          const bias = rnd(rng, [c.oc]);
          const probe = (): tf.Tensor4D =>
            tf.conv2d(x() as tf.Tensor4D, f() as tf.Tensor4D, c.stride, c.pad);
          const outShape = tf.tidy(() => probe().shape);
          const w = rnd(rng, outShape);
          const { ref, fast } = onBoth(() => {
            const out = probe();
            const g = tf.grads((xt: tf.Tensor, ft: tf.Tensor) =>
              tf.sum(tf.mul(tf.conv2d(xt as tf.Tensor4D, ft as tf.Tensor4D, c.stride, c.pad), w())),
            );
            const fused = tf.fused.conv2d({
              x: x() as tf.Tensor4D,
              filter: f() as tf.Tensor4D,
              strides: c.stride,
              pad: c.pad,
              bias: bias(),
              activation: 'relu',
            });
            return [out, ...g([x(), f()]), fused];
          });
          expectClose(fast, ref, 2e-5, `${c.label} (${path.name})`);
        } finally {
          addon!.setDnnl?.(true);
        }
      });
    }
  }

  it('the block path and im2col give the same convolutions and gradients', () => {
    const rng = new Rng(17);
    const x = rnd(rng, [5, 84, 84, 4]);
    const f = rnd(rng, [8, 8, 4, 16], 0.5);
    const w = rnd(rng, [5, 20, 20, 16]);
    const run = () =>
      tf.tidy(() => {
        const g = tf.grads((xt: tf.Tensor, ft: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(xt as tf.Tensor4D, ft as tf.Tensor4D, 4, 'valid'), w())),
        );
        const out = tf.conv2d(x() as tf.Tensor4D, f() as tf.Tensor4D, 4, 'valid');
        return [out, ...g([x(), f()])].map((t) => Float32Array.from(t.dataSync()));
      });
    addon!.setDnnl?.(false);
    try {
      const block = run();
      addon!.setBlockConv?.(false);
      expectClose(block, run(), 2e-5, 'block vs im2col');
    } finally {
      addon!.setBlockConv?.(true);
      addon!.setDnnl?.(true);
    }
  });

  it.skipIf(!hasDnnl)(
    'oneDNN and the block path give the same DQN convolutions and gradients',
    () => {
      const rng = new Rng(23);
      const x = rnd(rng, [64, 84, 84, 4]);
      const f1 = rnd(rng, [8, 8, 4, 16], 0.1);
      const f2 = rnd(rng, [4, 4, 16, 32], 0.1);
      const b1 = rnd(rng, [16]);
      const w = rnd(rng, [64, 9, 9, 32]);
      // The small net's two convolutions with bias and ReLU, as a training step runs them.
      const run = () =>
        tf.tidy(() => {
          const net = (xt: tf.Tensor, a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(
              tf.mul(
                tf.conv2d(
                  tf.fused.conv2d({
                    x: xt as tf.Tensor4D,
                    filter: a as tf.Tensor4D,
                    strides: 4,
                    pad: 'valid',
                    bias: b1(),
                    activation: 'relu',
                  }),
                  b as tf.Tensor4D,
                  2,
                  'valid',
                ),
                w(),
              ),
            );
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => net(x(), a, b));
          return [net(x(), f1(), f2()), ...g([f1(), f2()])].map((t) =>
            Float32Array.from(t.dataSync()),
          );
        });
      const onednn = run();
      addon!.setDnnl?.(false);
      try {
        expectClose(onednn, run(), 1e-4, 'oneDNN vs block');
      } finally {
        addon!.setDnnl?.(true);
      }
    },
  );

  it('conv2d with dilation 2 and with explicit padding', () => {
    const rng = new Rng(5);
    const x = rnd(rng, [2, 11, 10, 3]);
    const f = rnd(rng, [3, 3, 3, 4]);
    const { ref, fast } = onBoth(() => [
      tf.conv2d(x() as tf.Tensor4D, f() as tf.Tensor4D, 1, 'same', 'NHWC', 2),
      tf.conv2d(x() as tf.Tensor4D, f() as tf.Tensor4D, 2, [
        [0, 0],
        [1, 2],
        [2, 0],
        [0, 0],
      ]),
    ]);
    expectClose(fast, ref);
  });

  it('empty tensors: zero batch, zero rows, zero inner dimension', () => {
    const { ref, fast } = onBoth(() => [
      tf.conv2d(
        tf.zeros([0, 8, 8, 3]) as tf.Tensor4D,
        tf.ones([3, 3, 3, 2]) as tf.Tensor4D,
        1,
        'same',
      ),
      tf.matMul(tf.zeros([0, 4]), tf.ones([4, 3])),
      tf.matMul(tf.zeros([2, 0]), tf.ones([0, 3])),
      tf.matMul(tf.ones([1, 5]), tf.ones([5, 0])),
    ]);
    expectClose(fast, ref);
  });

  it('fused conv2d with epilogues the addon does not fuse (elu, leakyrelu, prelu, scalar bias)', () => {
    const rng = new Rng(6);
    const x = rnd(rng, [2, 9, 9, 3]);
    const f = rnd(rng, [3, 3, 3, 5]);
    const bias = rnd(rng, [5]);
    const alpha = rnd(rng, [5]);
    const scalarBias = rnd(rng, [1]);
    const run = (activation: tf.fused.Activation, b: () => tf.Tensor = bias): tf.Tensor =>
      tf.fused.conv2d({
        x: x() as tf.Tensor4D,
        filter: f() as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: b(),
        activation,
        preluActivationWeights: activation === 'prelu' ? alpha() : undefined,
        leakyreluAlpha: 0.3,
      });
    const { ref, fast } = onBoth(() => [
      run('elu'),
      run('leakyrelu'),
      run('prelu'),
      run('relu', scalarBias),
      run('linear'),
    ]);
    expectClose(fast, ref);
  });

  // The Nature dense layer at a small batch (the cpu reference is slow), the
  // shapes its gradients take, gemv (one row), and batched / broadcast matmuls.
  // tfjs has no gradient for broadcast batches, so those are checked forward only.
  const matCases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean; noGrad?: boolean }> =
    [
      { a: [2, 3136], b: [3136, 256], ta: false, tb: false },
      { a: [32, 512], b: [512, 6], ta: false, tb: false },
      { a: [1, 3136], b: [3136, 64], ta: false, tb: false },
      { a: [16, 300], b: [16, 64], ta: true, tb: false },
      { a: [16, 64], b: [300, 64], ta: false, tb: true },
      { a: [7, 5], b: [3, 7], ta: true, tb: true },
      { a: [1, 9], b: [4, 9], ta: false, tb: true },
      { a: [3, 4, 5], b: [3, 5, 6], ta: false, tb: false },
      { a: [1, 4, 5], b: [3, 5, 6], ta: false, tb: false, noGrad: true },
      { a: [3, 5, 4], b: [5, 6], ta: true, tb: false, noGrad: true },
      { a: [2, 3, 4, 5], b: [2, 3, 6, 5], ta: false, tb: true },
    ];
  for (const c of matCases) {
    it(`matMul forward and gradients a=${c.a} b=${c.b} ta=${c.ta} tb=${c.tb}`, () => {
      const rng = new Rng(c.a.length * 100 + c.b[c.b.length - 1]);
      const a = rnd(rng, c.a);
      const b = rnd(rng, c.b);
      const shape = tf.tidy(() => tf.matMul(a(), b(), c.ta, c.tb).shape);
      const w = rnd(rng, shape);
      const n = shape[shape.length - 1];
      const bias = rnd(rng, [n]);
      const { ref, fast } = onBoth(() => {
        const g = tf.grads((at: tf.Tensor, bt: tf.Tensor) =>
          tf.sum(tf.mul(tf.matMul(at, bt, c.ta, c.tb), w())),
        );
        const outs = [tf.matMul(a(), b(), c.ta, c.tb), ...(c.noGrad ? [] : g([a(), b()]))];
        if (c.a.length === 2 && c.b.length === 2) {
          for (const activation of ['relu', 'linear', 'elu'] as const) {
            outs.push(
              tf.fused.matMul({
                a: a() as tf.Tensor2D,
                b: b() as tf.Tensor2D,
                transposeA: c.ta,
                transposeB: c.tb,
                bias: bias(),
                activation,
              }),
            );
          }
        }
        return outs;
      });
      expectClose(fast, ref, 2e-5, `matMul ${c.a}x${c.b}`);
    });
  }

  it('binary ops across broadcast modes, NaN and int32 fallbacks', () => {
    const rng = new Rng(21);
    const shapes: Array<[number[], number[]]> = [
      [
        [300, 77],
        [300, 77],
      ],
      [[100, 200], [1]],
      [[1], [100, 200]],
      [[100, 200], []],
      [[30, 20, 8], [8]],
      [
        [30, 20, 8],
        [1, 8],
      ],
      [[8], [30, 20, 8]],
      [
        [30, 20, 8],
        [20, 8],
      ],
      [
        [4, 1],
        [1, 5],
      ],
      [
        [6, 5],
        [6, 1],
      ],
      [[0, 5], [5]],
    ];
    const ops = [tf.add, tf.sub, tf.mul, tf.div, tf.maximum, tf.minimum, tf.squaredDifference];
    for (const [sa, sb] of shapes) {
      const da = randn(rng, tf.util.sizeFromShape(sa));
      const db = randn(rng, tf.util.sizeFromShape(sb));
      if (da.length > 3) da[3] = Number.NaN;
      const { ref, fast } = onBoth(() => ops.map((op) => op(tf.tensor(da, sa), tf.tensor(db, sb))));
      expectClose(fast, ref, 1e-6, `${sa} op ${sb}`);
    }
    // int32 goes to the cpu kernels; so does float32 whose storage is not a
    // Float32Array (a cast from bool keeps its Uint8Array).
    const ints = onBoth(() => [
      tf.add(tf.tensor([1, 2, 3], [3], 'int32'), tf.tensor([4, 5, 6], [3], 'int32')),
      tf.mul(tf.tensor([1, 2, 3], [3], 'int32'), tf.scalar(2, 'int32')),
      tf.mul(
        tf.tensor([1.5, 2, 3]),
        tf.cast(tf.tensor([true, false, true], [3], 'bool'), 'float32'),
      ),
    ]);
    expectClose(ints.fast, ints.ref, 0);
  });

  it('unary ops (sqrt, square, relu, step, neg, abs, exp, log, rsqrt) including NaN and negatives', () => {
    const rng = new Rng(22);
    const d = randn(rng, 20000, 3);
    d[0] = Number.NaN;
    d[1] = 0;
    d[2] = -0;
    const pos = d.map(Math.abs);
    const { ref, fast } = onBoth(() => {
      const x = tf.tensor(d);
      const p = tf.tensor(pos);
      return [
        tf.sqrt(p),
        tf.square(x),
        tf.relu(x),
        tf.step(x),
        tf.step(x, 0.25),
        tf.neg(x),
        tf.abs(x),
        tf.exp(x),
        tf.log(p),
        tf.rsqrt(p),
        tf.sqrt(x),
      ];
    });
    expectClose(fast, ref, 1e-6, 'unary');
  });

  it('sum over leading, trailing, middle and all axes, with and without keepDims', () => {
    const rng = new Rng(23);
    const x = rnd(rng, [6, 7, 8, 9]);
    const axesList: Array<number | number[] | undefined> = [
      undefined,
      0,
      [0, 1, 2],
      3,
      [2, 3],
      1,
      [1, 2],
      [0, 3],
      -1,
    ];
    const { ref, fast } = onBoth(() =>
      axesList.flatMap((axis) => [tf.sum(x(), axis), tf.sum(x(), axis, true)]),
    );
    expectClose(fast, ref, 1e-6, 'sum');
    const ints = onBoth(() => [
      tf.sum(
        tf.tensor(
          [
            [1, 2],
            [3, 4],
          ],
          [2, 2],
          'int32',
        ),
        0,
      ),
    ]);
    expectClose(ints.fast, ints.ref, 0);
  });

  it('trains a small CNN (DQN update, Adam, Huber) to the same losses on both backends', () => {
    const losses = (backend: string): number[] => {
      tf.setBackend(backend);
      const trainer = makeTrainer(tf, TINY, { seed: 3, lr: 1e-3 });
      const batch = randomBatch(tf, TINY, 4, 99);
      const out: number[] = [];
      for (let i = 0; i < 5; i++) out.push(trainer.update(batch, true)!);
      disposeBatch(batch);
      trainer.dispose();
      return out;
    };
    const ref = losses('cpu');
    const fast = losses(FAST_CPU);
    tf.setBackend(FAST_CPU);
    expect(ref[ref.length - 1]).toBeLessThan(ref[0]);
    for (let i = 0; i < ref.length; i++) {
      expect(Math.abs(fast[i] - ref[i]), `step ${i}: ${fast[i]} vs ${ref[i]}`).toBeLessThanOrEqual(
        1e-4 * Math.max(1, Math.abs(ref[i])),
      );
    }
  });

  it('leaks no tensors over 1,000 updates and keeps the buffer pool bounded', () => {
    tf.setBackend(FAST_CPU);
    const spec: QNetSpec = { convs: [[4, 4, 2]], dense: 16, actions: 3, input: [12, 12, 2] };
    const trainer = makeTrainer(tf, spec, { seed: 4, lr: 1e-3 });
    const batch = randomBatch(tf, spec, 4, 5);
    for (let i = 0; i < 10; i++) trainer.update(batch);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) trainer.update(batch, i % 100 === 0);
    expect(tf.memory().numTensors).toBe(before);
    const pool = poolOf(tf.backend());
    expect(pool).toBeDefined();
    expect(pool!.bytesHeld).toBeLessThan(64 * 1024 * 1024);
    disposeBatch(batch);
    trainer.dispose();
  });

  it('never recycles an array that was read out or is shared with a view', () => {
    tf.setBackend(FAST_CPU);
    const n = 20000;
    const src = tf.fill([n], 3);
    const read = tf.mul(src, 2);
    const seen = read.dataSync();
    read.dispose();
    const sliced = tf.tidy(() => {
      const big = tf.mul(src, 5);
      return tf.slice(big, [10], [100]);
    });
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.add(tf.mul(src, 7), 1));
    expect(seen[0]).toBe(6);
    expect(seen[n - 1]).toBe(6);
    expect(sliced.dataSync()[0]).toBe(15);
    sliced.dispose();
    src.dispose();
  });
});
