import { describe, expect, it } from 'vitest';
import { Rng } from '../../emulators/rng.ts';
import { RandomShift } from './augment.ts';

/** A distinct value for every (sample, y, x, channel) of an NHWC batch. */
function batchOf(n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(n * h * w * c);
  for (let i = 0; i < out.length; i++) out[i] = i;
  return out;
}

/** The definition: pad by repeating edges, then cut the window at (pad + dy, pad + dx). */
function reference(obs: Float32Array, h: number, w: number, c: number, dx: number, dy: number) {
  const out = new Float32Array(h * w * c);
  const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        out[(y * w + x) * c + k] = obs[(clamp(y + dy, h - 1) * w + clamp(x + dx, w - 1)) * c + k];
      }
    }
  }
  return out;
}

describe('RandomShift', () => {
  it('moves a frame as padding with repeated edges and cropping would, for every offset', () => {
    const [h, w, c, pad] = [7, 9, 3, 3];
    const shift = new RandomShift(pad, h, w, c);
    const original = batchOf(1, h, w, c);
    for (let dy = -pad; dy <= pad; dy++) {
      for (let dx = -pad; dx <= pad; dx++) {
        const obs = original.slice();
        shift.shiftOne(obs, 0, dx, dy);
        expect(Array.from(obs), `dx ${dx}, dy ${dy}`).toEqual(
          Array.from(reference(original, h, w, c, dx, dy)),
        );
      }
    }
  });

  it('shifts each observation of a batch on its own and leaves the rest of the array alone', () => {
    const [h, w, c] = [5, 6, 2];
    const size = h * w * c;
    const shift = new RandomShift(2, h, w, c);
    const obs = batchOf(4, h, w, c);
    const before = obs.slice();
    shift.apply(obs, 3, new Rng(7));
    // Replays the same draws to know each observation's offset.
    const rng = new Rng(7);
    for (let b = 0; b < 3; b++) {
      const dx = rng.int(5) - 2;
      const dy = rng.int(5) - 2;
      const expected = reference(before.subarray(b * size, (b + 1) * size), h, w, c, dx, dy);
      expect(Array.from(obs.subarray(b * size, (b + 1) * size))).toEqual(Array.from(expected));
    }
    expect(Array.from(obs.subarray(3 * size))).toEqual(Array.from(before.subarray(3 * size)));
  });

  it('draws every offset in [-pad, pad] and keeps the stack of frames together', () => {
    const [h, w, c, pad] = [8, 8, 4, 2];
    const shift = new RandomShift(pad, h, w, c);
    const seen = new Set<string>();
    const rng = new Rng(1);
    // One bright pixel in the middle, in all four frames: where it lands gives the offset.
    for (let trial = 0; trial < 400; trial++) {
      const obs = new Float32Array(h * w * c);
      for (let k = 0; k < c; k++) obs[(4 * w + 4) * c + k] = 1;
      shift.apply(obs, 1, rng);
      const at = obs.indexOf(1);
      const pixel = Math.floor(at / c);
      for (let k = 0; k < c; k++) expect(obs[pixel * c + k]).toBe(1);
      expect(obs.reduce((a, v) => a + v, 0)).toBe(c);
      seen.add(`${4 - (pixel % w)},${4 - Math.floor(pixel / w)}`);
    }
    expect(seen.size).toBe((2 * pad + 1) ** 2);
  });

  it('with pad 0 changes nothing and draws nothing', () => {
    const shift = new RandomShift(0, 4, 4, 1);
    const obs = batchOf(2, 4, 4, 1);
    const rng = new Rng(3);
    const state = JSON.stringify(rng.getState());
    shift.apply(obs, 2, rng);
    expect(Array.from(obs)).toEqual(Array.from(batchOf(2, 4, 4, 1)));
    expect(JSON.stringify(rng.getState())).toBe(state);
  });

  it('rejects a negative pad and a batch array too small for the batch size', () => {
    expect(() => new RandomShift(-1, 4, 4, 1)).toThrow(/pad/);
    expect(() => new RandomShift(1, 4, 4, 1).apply(new Float32Array(16), 2, new Rng(1))).toThrow(
      /smaller/,
    );
  });
});
