import { describe, expect, it } from 'vitest';
import { Rng } from '../../emulators/rng.ts';
import { nativeStackGather } from '../backend/index.ts';
import { ReplayBuffer, type ReplayBufferOptions } from './replayBuffer.ts';

// Frames of 3 bytes [env, episode, t] make every stored frame identifiable.
const FS = 3;
const F = 4;

interface Expected {
  obs: number[][];
  next: number[][] | null;
  action: number;
  ret: number;
  discount: number;
}

/** Writes episodes into `buffer` and remembers, per slot id, what a sample of it must contain. */
class Scenario {
  readonly expected = new Map<number, Expected | 'tail'>();
  private readonly cursor: number[];
  constructor(
    readonly buffer: ReplayBuffer,
    readonly gamma = 0.99,
  ) {
    this.cursor = new Array(buffer.numEnvs).fill(0);
  }

  private slotId(env: number): number {
    const id = env * this.buffer.perEnv + this.cursor[env];
    this.cursor[env] = (this.cursor[env] + 1) % this.buffer.perEnv;
    return id;
  }

  /** One episode of `length` steps for `env`; ends terminated, truncated (with or without final obs). */
  episode(
    env: number,
    episode: number,
    length: number,
    end: 'terminated' | 'truncated' | 'truncated-final',
    rewards?: number[],
  ) {
    const frame = (t: number) => [env, episode, t];
    const stack = (t: number) =>
      Array.from({ length: F }, (_, c) => frame(Math.max(0, t - (F - 1) + c)));
    const chw = (t: number) => Uint8Array.from(stack(t).flat());
    const n = this.buffer.nStep;
    const r = rewards ?? Array.from({ length }, (_, t) => (t % 3) - 1);
    for (let t = 0; t < length; t++) {
      const last = t === length - 1;
      const terminated = last && end === 'terminated';
      const truncated = last && end !== 'terminated';
      const id = this.slotId(env);
      // Expected n-step return and next observation.
      let ret = 0;
      let k = 0;
      let discount = 1;
      for (; k < n && t + k < length; k++) {
        ret += discount * r[t + k];
        discount *= this.gamma;
        if (t + k === length - 1) {
          k++;
          break;
        }
      }
      const hitsEnd = t + k >= length;
      let next: number[][] | null = stack(t + k);
      if (hitsEnd && end === 'terminated') next = null;
      if (hitsEnd && end === 'truncated') next = null; // never sampled
      this.expected.set(id, {
        obs: stack(t),
        next,
        action: t % 5,
        ret,
        discount: hitsEnd && end === 'terminated' ? 0 : discount,
      });
      const final = truncated && end === 'truncated-final' ? chw(length) : null;
      this.buffer.add(env, chw(t), t % 5, r[t], terminated, truncated, final);
      if (final) this.expected.set(this.slotId(env), 'tail');
    }
  }
}

/** Reads sample b of a batch back as CHW frames. */
function frames(data: Float32Array, b: number): number[][] {
  return Array.from({ length: F }, (_, c) =>
    Array.from({ length: FS }, (_, p) => data[(b * FS + p) * F + c]),
  );
}

function checkSamples(s: Scenario, count: number, seed = 1) {
  const batch = s.buffer.sample(count, new Rng(seed));
  const seen = new Set<number>();
  for (let b = 0; b < count; b++) {
    const e = s.expected.get(batch.indices[b]);
    expect(e).toBeDefined();
    if (e === 'tail' || e === undefined)
      throw new Error('sampled a frame that is not a transition');
    expect(e.next, 'sampled a transition that cannot bootstrap').not.toBeUndefined();
    expect(frames(batch.observations, b)).toEqual(e.obs);
    if (e.discount > 0) {
      expect(e.next).not.toBeNull();
      expect(frames(batch.nextObservations, b)).toEqual(e.next);
    }
    expect(batch.actions[b]).toBe(e.action);
    expect(batch.returns[b]).toBeCloseTo(e.ret, 5);
    expect(batch.discounts[b]).toBeCloseTo(e.discount, 6);
    seen.add(batch.indices[b]);
  }
  return seen;
}

const small = (o: Partial<ReplayBufferOptions> = {}) =>
  new ReplayBuffer({ capacity: 64, numEnvs: 1, frameStack: F, frameSize: FS, ...o });

describe('ReplayBuffer', () => {
  it('round-trips frames into stacks that never cross an episode boundary', () => {
    const s = new Scenario(small());
    s.episode(0, 0, 5, 'terminated');
    s.episode(0, 1, 7, 'terminated');
    s.episode(0, 2, 2, 'terminated');
    const seen = checkSamples(s, 400);
    // Every one of the 14 transitions is reachable.
    expect(seen.size).toBe(14);
  });

  it('reads stacks across frame-storage chunks', () => {
    const s = new Scenario(small({ capacity: 40, numEnvs: 2, maxChunkBytes: 5 * FS }));
    for (let e = 0; e < 4; e++)
      for (let env = 0; env < 2; env++) s.episode(env, e, 6, 'terminated');
    checkSamples(s, 300);
  });

  it('never samples transitions whose history the ring overwrote', () => {
    const s = new Scenario(small({ capacity: 10 }));
    for (let e = 0; e < 6; e++) s.episode(0, e, 7, 'terminated');
    checkSamples(s, 300);
    expect(s.buffer.size).toBe(10);
  });

  it('keeps parallel writers apart', () => {
    const s = new Scenario(small({ capacity: 90, numEnvs: 3 }));
    for (let e = 0; e < 3; e++)
      for (let env = 0; env < 3; env++) s.episode(env, e, 4 + env, 'terminated');
    const seen = checkSamples(s, 500);
    expect(new Set([...seen].map((g) => Math.floor(g / 30)))).toEqual(new Set([0, 1, 2]));
  });

  it('computes n-step returns and discounts, stopping at episode ends', () => {
    const gamma = 0.5;
    const s = new Scenario(small({ nStep: 3, gamma }), gamma);
    s.episode(0, 0, 6, 'terminated', [1, 2, 4, 8, 16, 32]);
    s.episode(0, 1, 4, 'truncated-final', [1, 1, 1, 1]);
    checkSamples(s, 300);
    // Hand-checked: from t=0 the return is 1 + 0.5*2 + 0.25*4 = 3 with discount 0.125.
    const batch = s.buffer.sample(200, new Rng(3));
    const first = [...batch.indices].indexOf(0);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(batch.returns[first]).toBe(3);
    expect(batch.discounts[first]).toBe(0.125);
  });

  it('bootstraps truncated episodes only when the final observation is given', () => {
    const s = new Scenario(small());
    s.episode(0, 0, 4, 'truncated');
    s.episode(0, 1, 4, 'truncated-final');
    s.episode(0, 2, 3, 'terminated');
    const seen = checkSamples(s, 400);
    expect(seen.has(3)).toBe(false); // last step of the episode truncated without its final frame
    expect(seen.has(7)).toBe(true); // last step of the episode whose final frame was stored
    expect(seen.has(8)).toBe(false); // the TAIL frame itself
  });

  it('samples only what has been written, however empty the buffer', () => {
    const s = new Scenario(small({ capacity: 1000 }));
    s.episode(0, 0, 3, 'terminated');
    const seen = checkSamples(s, 50);
    expect([...seen].every((g) => g < 3)).toBe(true);
    expect(() => small().sample(1, new Rng(0))).toThrow(/empty/);
  });

  it('stores each 84x84 frame once: at most 1.05 x 84 x 84 bytes per transition', () => {
    for (const prioritized of [undefined, { alpha: 0.6, epsilon: 1e-6 }]) {
      const buffer = new ReplayBuffer({ capacity: 2000, numEnvs: 4, prioritized });
      expect(buffer.capacity).toBe(2000);
      expect(buffer.byteLength / buffer.capacity).toBeLessThanOrEqual(1.05 * 84 * 84);
    }
  });

  it('prioritised replay favours high-error transitions and weights them down', () => {
    const s = new Scenario(small({ prioritized: { alpha: 1, epsilon: 1e-3 } }));
    s.episode(0, 0, 20, 'terminated');
    const rng = new Rng(5);
    const all = s.buffer.sample(32, rng);
    const hot = all.indices[0];
    const errors = Float32Array.from(all.indices, (g) => (g === hot ? 10 : 0.01));
    s.buffer.updatePriorities(all.indices, errors);
    const batch = s.buffer.sample(64, rng, 1);
    const hits = [...batch.indices].filter((g) => g === hot).length;
    expect(hits).toBeGreaterThan(16);
    const hotWeight = batch.weights[[...batch.indices].indexOf(hot)];
    expect(Math.max(...batch.weights)).toBeCloseTo(1, 6);
    expect(hotWeight).toBeLessThan(1);
    checkSamples(s, 64);
  });

  it('samples into a reused batch exactly what a fresh batch would hold', () => {
    for (const prioritized of [undefined, { alpha: 0.6, epsilon: 1e-3 }]) {
      const s = new Scenario(small({ nStep: 3, capacity: 60, numEnvs: 2, prioritized }));
      s.episode(0, 0, 12, 'terminated');
      s.episode(1, 0, 9, 'truncated-final');
      s.episode(0, 1, 7, 'terminated');
      const fresh = new Rng(11);
      const reused = new Rng(11);
      const into = s.buffer.sample(16, reused, 0.5);
      s.buffer.sample(16, fresh, 0.5);
      // A stale batch (every field garbage) must be overwritten completely.
      for (const a of Object.values(into)) if (ArrayBuffer.isView(a)) (a as Float32Array).fill(-7);
      for (let round = 0; round < 5; round++) {
        const expected = s.buffer.sample(16, fresh, 0.5);
        const got = s.buffer.sample(16, reused, 0.5, into);
        expect(got).toBe(into);
        expect(got).toEqual(expected);
        if (prioritized) {
          const errors = Float32Array.from(got.indices, (g) => (g % 5) + 0.1);
          s.buffer.updatePriorities(got.indices, errors);
        }
      }
      // A batch of another size is not reused.
      expect(s.buffer.sample(8, reused, 0.5, into)).not.toBe(into);
    }
  });

  it('writes each pixel byte through its value table, in the JS loop and the native gather', () => {
    const gather = nativeStackGather();
    if (!gather && process.env.CI === 'true') throw new Error('fast-cpu addon not built');
    // Frames of real size, every byte value present, so the whole table is exercised.
    const frameSize = 84 * 84;
    const table = Float32Array.from({ length: 256 }, (_, v) => Math.fround(v / 255) - 0.5);
    const make = (
      gatherStack?: ReplayBufferOptions['gatherStack'],
      pixelValues: Float32Array | null = table,
    ) =>
      new ReplayBuffer({
        capacity: 200,
        numEnvs: 2,
        nStep: 3,
        pixelValues: pixelValues ?? undefined,
        gatherStack,
      });
    const buffers = [make(), make(gather ?? undefined), make(undefined, null)];
    const obs = new Uint8Array(4 * frameSize);
    for (let t = 0; t < 60; t++) {
      for (let i = 0; i < obs.length; i++) obs[i] = (i * 7 + t * 13) & 255;
      for (const b of buffers) b.add(t % 2, obs, t % 3, t % 5 === 0 ? 1 : 0, t === 41, false);
    }
    const [js, native, raw] = buffers.map((b) => b.sample(12, new Rng(5)));
    expect(raw.indices).toEqual(js.indices);
    for (let i = 0; i < raw.observations.length; i++) {
      expect(js.observations[i]).toBe(table[raw.observations[i]]);
      expect(js.nextObservations[i]).toBe(table[raw.nextObservations[i]]);
    }
    // Raw values span the whole byte range.
    expect(Math.max(...raw.observations.subarray(0, 4 * frameSize))).toBe(255);
    if (gather) {
      expect(native).toEqual(js);
      // The native gather checks its ranges.
      const f = new Uint8Array(8);
      expect(() => gather([f, f, f, new Uint8Array(7)], table, new Float32Array(32), 0)).toThrow(
        RangeError,
      );
      expect(() => gather([f, f, f, f], table, new Float32Array(32), 1)).toThrow(RangeError);
      expect(() => gather([f, f, f, f], table.subarray(1), new Float32Array(32), 0)).toThrow(
        RangeError,
      );
    }
    expect(() => make(undefined, new Float32Array(255))).toThrow(/256 entries/);
  });

  it('keeps the discounted return to the end of each terminated episode as its lower bound', () => {
    const gamma = 0.9;
    const s = new Scenario(
      small({ capacity: 64, numEnvs: 2, nStep: 2, gamma, episodeReturns: true }),
      gamma,
    );
    const rewards = [1, 0, 1, 1, 0, 1];
    s.episode(0, 0, 6, 'terminated', rewards);
    s.episode(1, 0, 5, 'truncated-final');
    s.episode(0, 1, 4, 'terminated', [0, 0, 1, 0]);
    const batch = s.buffer.sample(400, new Rng(3));
    const expected = new Map<number, number>();
    const returnsOf = (r: number[]) =>
      r.map((_, t) => r.slice(t).reduce((g, x, k) => g + gamma ** k * x, 0));
    for (const [t, g] of returnsOf(rewards).entries()) expected.set(t, g);
    // Env 1's episode was truncated: its slots (ids from perEnv on) have no bound.
    for (const [t, g] of returnsOf([0, 0, 1, 0]).entries()) expected.set(6 + t, g);
    let checked = 0;
    for (let b = 0; b < batch.size; b++) {
      const id = batch.indices[b];
      const bound = batch.lowerBounds[b];
      if (id >= s.buffer.perEnv) expect(bound).toBe(Number.NEGATIVE_INFINITY);
      else {
        expect(bound).toBeCloseTo(expected.get(id) as number, 5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
    // An episode that has not ended yet has no bound; its end writes one.
    const buf = small({ capacity: 32, numEnvs: 1, nStep: 1, episodeReturns: true });
    const frame = new Uint8Array(F * FS);
    for (let t = 0; t < 8; t++) buf.add(0, frame, 0, 1, false, false);
    expect([...buf.sample(20, new Rng(1)).lowerBounds].every((x) => x === -Infinity)).toBe(true);
    buf.add(0, frame, 0, 1, true, false);
    const after = buf.sample(40, new Rng(1));
    for (let b = 0; b < after.size; b++) {
      const t = after.indices[b];
      expect(after.lowerBounds[b]).toBeCloseTo((1 - 0.99 ** (9 - t)) / (1 - 0.99), 4);
    }
    // Without the option every bound is -Infinity.
    const none = small({ capacity: 32, numEnvs: 1 });
    for (let t = 0; t < 8; t++) none.add(0, frame, 0, 1, t === 7, false);
    expect([...none.sample(10, new Rng(1)).lowerBounds].every((x) => x === -Infinity)).toBe(true);
  });

  it('serialises and restores its whole state', async () => {
    for (const episodeReturns of [false, true]) {
      const s = new Scenario(small({ capacity: 30, numEnvs: 2, episodeReturns }));
      s.episode(0, 0, 9, 'terminated');
      s.episode(1, 0, 6, 'terminated');
      const { header, chunks } = s.buffer.serialize();
      const bytes = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
      let o = 0;
      for (const c of chunks) {
        bytes.set(c, o);
        o += c.byteLength;
      }
      const copy = small({ capacity: 30, numEnvs: 2, episodeReturns });
      await copy.restore(header, (target, offset) =>
        target.set(bytes.subarray(offset, offset + target.length)),
      );
      const restored = copy.sample(40, new Rng(9));
      expect(restored).toEqual(s.buffer.sample(40, new Rng(9)));
      expect(restored.lowerBounds.some((x) => x > 0)).toBe(episodeReturns);
      await expect(small({ capacity: 32, numEnvs: 2 }).restore(header, () => {})).rejects.toThrow(
        /does not match/,
      );
      // A buffer that keeps episode returns does not take a state without them, nor the reverse.
      await expect(
        small({ capacity: 30, numEnvs: 2, episodeReturns: !episodeReturns }).restore(
          header,
          () => {},
        ),
      ).rejects.toThrow(/does not match/);
    }
  });
});
