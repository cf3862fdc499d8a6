import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../emulators/manifest/index.ts';
import { Rng } from '../../emulators/rng.ts';
import { recordRandomPlay } from '../stream/recordFrames.ts';
import {
  DELTA_HEADER_BYTES,
  encodeKeyFrame,
  FrameCodecError,
  FrameDecoder,
  FrameEncoder,
  readFrameHeader,
} from './frameCodec.ts';

const W = 256;
const H = 240;
const KEY_EVERY = 60;

/** Encodes a stream with a key frame every KEY_EVERY frames, as the live rooms do. */
function encodeStream(frames: Uint8Array[]): Uint8Array[] {
  const encoder = new FrameEncoder({ width: W, height: H });
  return frames.map((frame, i) =>
    i % KEY_EVERY === 0 ? encoder.encodeKey(frame, i) : encoder.encodeDelta(frame, i),
  );
}

function expectCodecError(run: () => unknown, code: FrameCodecError['code']): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FrameCodecError);
    expect((error as FrameCodecError).code).toBe(code);
    return;
  }
  throw new Error(`expected a FrameCodecError ${code}`);
}

describe('frame codec on Brick gameplay', () => {
  let frames: Uint8Array[];
  let encoded: Uint8Array[];

  beforeAll(() => {
    // 12 s of random play: serves, bounces, broken bricks, lost balls.
    frames = recordRandomPlay({ game: 'brick', frames: 720, seed: 7 });
    encodeStream(frames); // warm-up, so the timing below is of optimised code
    const cpu = process.cpuUsage();
    encoded = encodeStream(frames);
    const used = process.cpuUsage(cpu);
    console.log(
      `brick: encode ${((used.user + used.system) / frames.length).toFixed(0)} us/frame of CPU ` +
        '(key frame every 60; informational, the machine may be shared)',
    );
  });

  it('round-trips every key and delta frame bit-exactly', () => {
    const decoder = new FrameDecoder();
    for (let i = 0; i < frames.length; i++) {
      const decoded = decoder.decode(encoded[i]);
      expect(decoded.frameNumber).toBe(i);
      expect(decoded.key).toBe(i % KEY_EVERY === 0);
      expect(decoded.width).toBe(W);
      expect(decoded.height).toBe(H);
      if (!equalBytes(decoded.pixels, frames[i])) throw new Error(`frame ${i} differs`);
    }
  });

  it('averages far below 2,000 bytes a frame', () => {
    const total = encoded.reduce((sum, bytes) => sum + bytes.length, 0);
    const keys = encoded.filter((_, i) => i % KEY_EVERY === 0);
    const perFrame = total / encoded.length;
    console.log(
      `brick: ${perFrame.toFixed(1)} bytes/frame over ${encoded.length} frames ` +
        `(key frames ${(keys.reduce((s, b) => s + b.length, 0) / keys.length).toFixed(0)} bytes)`,
    );
    expect(perFrame).toBeLessThanOrEqual(2000);
    // Only changes travel: most deltas of a paddle game are small.
    const deltas = encoded.filter((_, i) => i % KEY_EVERY !== 0).map((b) => b.length);
    expect(median(deltas)).toBeLessThan(400);
  });

  it('refuses a delta whose base was dropped, then resynchronises at the next key frame', () => {
    const decoder = new FrameDecoder();
    for (let i = 0; i <= 10; i++) decoder.decode(encoded[i]);
    // Frames 11 and 12 are lost on the way.
    expectCodecError(() => decoder.decode(encoded[13]), 'MISSING_BASE');
    expect(decoder.lastFrameNumber).toBe(10);
    expect(decoder.canDecode(encoded[13])).toBe(false);
    let next = 13;
    while (!decoder.canDecode(encoded[next])) next++;
    expect(next).toBe(KEY_EVERY);
    for (let i = next; i < 3 * KEY_EVERY; i++) {
      if (!equalBytes(decoder.decode(encoded[i]).pixels, frames[i])) {
        throw new Error(`frame ${i} differs after resync`);
      }
    }
  });

  it('a fresh decoder needs a key frame first', () => {
    const decoder = new FrameDecoder();
    expectCodecError(() => decoder.decode(encoded[1]), 'MISSING_BASE');
    decoder.decode(encoded[0]);
    decoder.reset();
    expectCodecError(() => decoder.decode(encoded[1]), 'MISSING_BASE');
  });

  it('a standalone key frame of the last frame lets a late joiner decode the shared deltas', () => {
    const encoder = new FrameEncoder({ width: W, height: H });
    for (let i = 0; i < 100; i++) encoder.encodeDelta(frames[i], i);
    const late = new FrameDecoder();
    expect(equalBytes(late.decode(encoder.keyOfLast()).pixels, frames[99])).toBe(true);
    for (let i = 100; i < 130; i++) {
      const decoded = late.decode(encoder.encodeDelta(frames[i], i));
      expect(equalBytes(decoded.pixels, frames[i])).toBe(true);
    }
    // `remember` advances the chain without encoding (a room nobody watches).
    encoder.remember(frames[130], 130);
    const joiner = new FrameDecoder();
    joiner.decode(encoder.keyOfLast());
    expect(
      equalBytes(joiner.decode(encoder.encodeDelta(frames[131], 131)).pixels, frames[131]),
    ).toBe(true);
  });
});

const hasDuel = loadManifest().some((entry) => entry.id === 'duel');

describe.skipIf(!hasDuel)('frame codec on Duel gameplay', () => {
  it('round-trips and stays small', () => {
    const frames = recordRandomPlay({ game: 'duel', frames: 240, seed: 3 });
    const encoded = encodeStream(frames);
    const decoder = new FrameDecoder();
    encoded.forEach((bytes, i) => {
      if (!equalBytes(decoder.decode(bytes).pixels, frames[i])) throw new Error(`frame ${i}`);
    });
    const perFrame = encoded.reduce((s, b) => s + b.length, 0) / encoded.length;
    console.log(`duel: ${perFrame.toFixed(1)} bytes/frame`);
    expect(perFrame).toBeLessThanOrEqual(2000);
  });
});

describe('frame codec edge cases', () => {
  it('round-trips any byte values and sizes that are not whole words', () => {
    const rng = new Rng(11);
    for (const [width, height] of [
      [7, 3],
      [1, 1],
      [33, 17],
    ]) {
      const encoder = new FrameEncoder({ width, height });
      const decoder = new FrameDecoder();
      let frame = new Uint8Array(width * height).map(() => rng.int(256));
      for (let i = 0; i < 40; i++) {
        const next = frame.slice();
        const changes = rng.int(width * height);
        for (let c = 0; c < changes; c++) next[rng.int(next.length)] = rng.int(256);
        frame = next;
        const bytes = i % 10 === 0 ? encoder.encodeKey(frame, i) : encoder.encodeDelta(frame, i);
        expect(Array.from(decoder.decode(bytes).pixels)).toEqual(Array.from(frame));
      }
    }
  });

  it('an unchanged frame is a header-sized delta', () => {
    const encoder = new FrameEncoder({ width: W, height: H });
    const frame = new Uint8Array(W * H).fill(0x0f);
    encoder.encodeKey(frame, 0);
    const delta = encoder.encodeDelta(frame, 1);
    expect(delta.length).toBe(DELTA_HEADER_BYTES);
    expect(readFrameHeader(delta)).toEqual({
      key: false,
      width: W,
      height: H,
      frameNumber: 1,
      baseFrameNumber: 0,
    });
  });

  it('rejects corrupt input with CORRUPT and wrong sizes with BAD_SIZE', () => {
    const frame = new Uint8Array(W * H).fill(3);
    const key = encodeKeyFrame(frame, { width: W, height: H, frameNumber: 5 });
    expectCodecError(() => new FrameDecoder().decode(key.subarray(0, 4)), 'CORRUPT');
    const badVersion = key.slice();
    badVersion[0] = 99;
    expectCodecError(() => new FrameDecoder().decode(badVersion), 'CORRUPT');
    expectCodecError(() => new FrameDecoder().decode(key.subarray(0, key.length - 3)), 'CORRUPT');
    const huge = key.slice();
    new DataView(huge.buffer).setUint16(2, 0xffff, true);
    new DataView(huge.buffer).setUint16(4, 0xffff, true);
    expectCodecError(() => new FrameDecoder().decode(huge), 'CORRUPT');
    // A delta whose run points past the end of the frame.
    const encoder = new FrameEncoder({ width: 4, height: 1, deflateMinBytes: 1e9 });
    encoder.encodeKey(new Uint8Array(4), 0);
    const delta = encoder.encodeDelta(new Uint8Array([1, 1, 1, 1]), 1);
    const decoder = new FrameDecoder();
    decoder.decode(encodeKeyFrame(new Uint8Array(4), { width: 4, height: 1, frameNumber: 0 }));
    const broken = delta.slice();
    broken[DELTA_HEADER_BYTES] = 3; // skip 3, then 4 pixels: one too many
    expectCodecError(() => decoder.decode(broken), 'CORRUPT');
    expect(decoder.lastFrameNumber).toBe(0);
    expect(Array.from(decoder.decode(delta).pixels)).toEqual([1, 1, 1, 1]);
    expectCodecError(
      () => new FrameEncoder({ width: W, height: H }).encodeKey(frame.subarray(1), 0),
      'BAD_SIZE',
    );
  });

  it('decodes from an ArrayBuffer as browsers receive it', () => {
    const frame = new Uint8Array(W * H).fill(0x21);
    const key = encodeKeyFrame(frame, { width: W, height: H, frameNumber: 1 });
    const copy = new ArrayBuffer(key.byteLength);
    new Uint8Array(copy).set(key);
    expect(new FrameDecoder().decode(copy).pixels[100]).toBe(0x21);
  });
});

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}
