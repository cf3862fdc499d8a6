// Every addon binding refuses wrong argument counts, types, lengths and geometry with a
// clear error instead of touching memory.
import { describe, expect, it } from 'vitest';
import { type ConvParams, loadAddon } from './native.ts';

const { addon } = loadAddon();
const f32 = (n: number) => new Float32Array(n);
const geom: ConvParams = {
  ...{ n: 1, h: 8, w: 8, c: 1, kh: 4, kw: 4, oc: 2, oh: 3, ow: 3 },
  ...{ sh: 2, sw: 2, dh: 1, dw: 1, pt: 0, pl: 0 },
};

describe.skipIf(!addon)('fast-cpu bindings check their arguments', () => {
  const a = addon!;
  it('conv2d: count, types, lengths and geometry', () => {
    a.conv2d(geom, f32(64), f32(32), f32(18), f32(2), 1);
    const call =
      (...args: unknown[]) =>
      () =>
        (a.conv2d as (...x: unknown[]) => void)(...args);
    expect(call(geom, f32(64))).toThrow(/conv2d: expected 6 arguments, got 2/);
    expect(call(geom, new Uint8Array(64), f32(32), f32(18), null, 0)).toThrow(
      /x must be a Float32Array/,
    );
    expect(call(geom, f32(63), f32(32), f32(18), null, 0)).toThrow(
      /x has 63 elements, expected n\*h\*w\*c \(1\*8\*8\*1\) = 64/,
    );
    expect(call(geom, f32(64), f32(31), f32(18), null, 0)).toThrow(/filter has 31 elements/);
    expect(call(geom, f32(64), f32(32), f32(17), null, 0)).toThrow(/out has 17 elements/);
    expect(call(geom, f32(64), f32(32), f32(18), f32(3), 0)).toThrow(/bias has 3 elements/);
    expect(call(geom, f32(64), f32(32), f32(18), null, 2)).toThrow(/act must be in \[0, 1\]/);
    expect(call({ ...geom, sh: 0 }, f32(64), f32(32), f32(18), null, 0)).toThrow(/params.sh/);
    expect(call({ ...geom, kh: 1.5 }, f32(64), f32(32), f32(18), null, 0)).toThrow(
      /params.kh must be an integer/,
    );
    expect(call({ ...geom, oh: 1 }, f32(64), f32(32), f32(6), null, 0)).toThrow(
      /params.oh = 1 is too small for h = 8/,
    );
  });

  it('convolution gradients', () => {
    expect(() => a.conv2dBackpropFilter(geom, f32(64), f32(18), f32(30))).toThrow(
      /conv2dBackpropFilter: dw has 30 elements/,
    );
    expect(() => a.conv2dBackpropInput(geom, f32(17), f32(32), f32(64))).toThrow(
      /conv2dBackpropInput: dy has 17 elements/,
    );
  });

  it('matMul', () => {
    const ok = [f32(6), f32(6), f32(4), 1, 1, 1, 2, 2, 3, false, false, null, 0] as const;
    a.matMul(...ok);
    const mm = (i: number, v: unknown) => () => {
      const args: unknown[] = [...ok];
      args[i] = v;
      (a.matMul as (...x: unknown[]) => void)(...args);
    };
    expect(mm(0, f32(5))).toThrow(/a has 5 elements, expected batchA\*m\*k/);
    expect(mm(2, f32(5))).toThrow(/out has 5 elements/);
    expect(mm(4, 2)).toThrow(/batchA must be 1 or batch/);
    expect(mm(6, 0)).toThrow(/m must be in/);
    expect(mm(9, 1)).toThrow(/transposeA must be a boolean/);
  });

  it('elementwise and sums', () => {
    expect(() => a.binary(0, f32(4), f32(3), f32(4), 0, 1)).toThrow(/binary: b has 3 elements/);
    expect(() => a.binary(9, f32(4), f32(4), f32(4), 0, 1)).toThrow(/op must be in/);
    expect(() => a.binary(0, f32(6), f32(4), f32(6), 3, 4)).toThrow(/not a whole number of rows/);
    expect(() => a.binary(0, f32(1), f32(2), f32(4), 1, 1)).toThrow(/b has 2 elements/);
    expect(() => a.unary(0, f32(3), f32(4), 0)).toThrow(/unary: x has 3 elements/);
    expect(() => a.sumReduce(f32(5), f32(2), 2, 3, false)).toThrow(/sumReduce: x has 5/);
    expect(() => a.sumReduce(f32(6), f32(3), 2, 3, false)).toThrow(/out has 3 elements/);
  });

  it('adamStep: lengths, scalars and overlapping outputs', () => {
    const k = f32(7);
    expect(() => a.adamStep(f32(4), f32(4), f32(4), f32(3), f32(4), f32(4), f32(4), k)).toThrow(
      /adamStep: v has 3 elements, expected w.length/,
    );
    expect(() =>
      a.adamStep(f32(4), f32(4), f32(4), f32(4), f32(4), f32(4), f32(4), f32(6)),
    ).toThrow(/scalars has 6 elements/);
    const w = f32(4);
    expect(() => a.adamStep(w, f32(4), f32(4), f32(4), w, f32(4), f32(4), k)).toThrow(
      /wOut overlaps w/,
    );
  });

  it('gatherStack4: frame sizes, table and output range', () => {
    const fr = () => new Uint8Array(4);
    a.gatherStack4(fr(), fr(), fr(), fr(), f32(256), f32(16), 0);
    expect(() => a.gatherStack4(fr(), fr(), new Uint8Array(3), fr(), f32(256), f32(16), 0)).toThrow(
      /f2 has 3 elements.*frames differ in size/,
    );
    expect(() => a.gatherStack4(fr(), fr(), fr(), fr(), f32(255), f32(16), 0)).toThrow(/lut/);
    expect(() => a.gatherStack4(fr(), fr(), fr(), fr(), f32(256), f32(16), 1)).toThrow(
      /out has 16 elements; the stack needs/,
    );
    expect(() => a.gatherStack4(fr(), fr(), fr(), fr(), f32(256), f32(16), -1)).toThrow(
      /offset must be in/,
    );
  });

  it('thread and path settings', () => {
    expect(() => a.setThreads(0)).toThrow(/setThreads: threads must be in/);
    expect(() => a.setLoopThreads(Number.NaN)).toThrow(/must be an integer/);
    expect(() => a.setBlockConv?.(1 as unknown as boolean)).toThrow(/on must be a boolean/);
  });
});
