/**
 * The live-stream frame codec: a sequence of screens of NES palette indices (one byte a pixel,
 * values 0..63) as key frames (the whole screen) and delta frames (only what changed since the
 * previous encoded frame), deflated with fflate. It runs on the server beside emulation (encode)
 * and in the browser (decode), so it uses no Node-only API. The wire format is in `frameFormat.ts`.
 */
import { deflateSync, inflateSync } from 'fflate';
import {
  asBytes,
  checkSize,
  corrupt,
  DELTA_HEADER_BYTES,
  FLAG_DEFLATED,
  type FrameBytes,
  FrameCodecError,
  type FrameHeader,
  KEY_HEADER_BYTES,
  readFrameHeader,
  readVarint,
  writeHeader,
  writeVarint,
} from './frameFormat.ts';

export {
  DELTA_HEADER_BYTES,
  FRAME_CODEC_VERSION,
  type FrameBytes,
  FrameCodecError,
  type FrameCodecErrorCode,
  type FrameHeader,
  KEY_HEADER_BYTES,
  MAX_FRAME_PIXELS,
  readFrameHeader,
} from './frameFormat.ts';

/**
 * Unchanged words (4 pixels each) tolerated inside one run before it is split: a run costs two
 * varints, so bridging a short gap is cheaper than opening a new run.
 */
const BRIDGE_WORDS = 2;

export interface FrameEncoderOptions {
  width: number;
  height: number;
  /**
   * fflate deflate level 0..9 (default 6). On screens level 1 is no faster than 6 but makes key
   * frames about 3.5 times larger, since the cost is dominated by fflate's per-call set-up.
   */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /**
   * Delta run data shorter than this is stored, not deflated (default 256 bytes): deflating a
   * small payload costs fflate's fixed set-up (~0.1 ms, tables of ~170 KB) to save a few dozen
   * bytes, and the encoder runs 60 times a second per live game.
   */
  deflateMinBytes?: number;
}

/**
 * Encodes one stream: each `encodeDelta` is relative to the frame encoded just before it (key or
 * delta). `encodeKey` also starts a new chain. Not thread-safe, allocation-light: one output array
 * a frame.
 */
export class FrameEncoder {
  readonly width: number;
  readonly height: number;
  readonly pixels: number;
  private readonly level: FrameEncoderOptions['level'];
  private readonly deflateMinBytes: number;
  /** Previous and current frames, padded to whole words so runs can be found 4 pixels at a time. */
  private previous: Uint8Array;
  private current: Uint8Array;
  private previous32: Uint32Array;
  private current32: Uint32Array;
  /** Frame number of `previous`, or -1 before the first frame. */
  private previousNumber = -1;
  private runs: Uint8Array;

  constructor(options: FrameEncoderOptions) {
    const { width, height } = options;
    checkSize(width, height);
    this.width = width;
    this.height = height;
    this.pixels = width * height;
    this.level = options.level ?? 6;
    this.deflateMinBytes = options.deflateMinBytes ?? 256;
    const padded = Math.ceil(this.pixels / 4) * 4;
    this.previous = new Uint8Array(padded);
    this.current = new Uint8Array(padded);
    this.previous32 = new Uint32Array(this.previous.buffer);
    this.current32 = new Uint32Array(this.current.buffer);
    // Runs never outgrow the pixels they cover plus the first run's varints: gaps shorter than
    // (BRIDGE_WORDS + 1) words are bridged, and a longer gap (>= 12 pixels) pays for two varints.
    // (Two 3-byte varints cover frames up to 2^21 pixels; MAX_FRAME_PIXELS is 2^20.)
    this.runs = new Uint8Array(this.pixels + 16);
  }

  /** The frame number of the last frame encoded (the base of the next delta), or -1. */
  get lastFrameNumber(): number {
    return this.previousNumber;
  }

  /** A key frame of `frame` (width*height pixel bytes); later deltas are relative to it. */
  encodeKey(frame: Uint8Array, frameNumber: number): Uint8Array {
    this.accept(frame, frameNumber);
    const out = encodeKeyFrame(this.current.subarray(0, this.pixels), this.header(frameNumber), {
      level: this.level,
    });
    this.commit(frameNumber);
    return out;
  }

  /** A delta of `frame` against the previous frame encoded; a key frame if there is none. */
  encodeDelta(frame: Uint8Array, frameNumber: number): Uint8Array {
    if (this.previousNumber < 0) return this.encodeKey(frame, frameNumber);
    this.accept(frame, frameNumber);
    const runLength = this.findRuns();
    const raw = this.runs.subarray(0, runLength);
    const packed =
      raw.length >= this.deflateMinBytes ? deflateSync(raw, { level: this.level }) : raw;
    const deflated = packed.length < raw.length;
    const body = deflated ? packed : raw;
    const out = new Uint8Array(DELTA_HEADER_BYTES + body.length);
    writeHeader(out, { ...this.header(frameNumber), key: false, deflated });
    const view = new DataView(out.buffer);
    view.setUint32(10, this.previousNumber, true);
    view.setUint32(14, runLength, true);
    out.set(body, DELTA_HEADER_BYTES);
    this.commit(frameNumber);
    return out;
  }

  /**
   * Takes `frame` as the base of the next delta without encoding it: for a stream nobody is
   * watching, so that a viewer who joins gets `keyOfLast()` and then deltas.
   */
  remember(frame: Uint8Array, frameNumber: number): void {
    this.accept(frame, frameNumber);
    this.commit(frameNumber);
  }

  /** A standalone key frame of the last frame encoded or remembered; the chain is unchanged. */
  keyOfLast(): Uint8Array {
    if (this.previousNumber < 0) throw new Error('keyOfLast: no frame has been encoded yet');
    return encodeKeyFrame(
      this.previous.subarray(0, this.pixels),
      this.header(this.previousNumber),
      { level: this.level },
    );
  }

  private header(frameNumber: number) {
    return { width: this.width, height: this.height, frameNumber };
  }

  private accept(frame: Uint8Array, frameNumber: number): void {
    if (frame.length !== this.pixels) {
      throw new FrameCodecError(
        `frame has ${frame.length} pixels, the stream is ${this.width}x${this.height}`,
        'BAD_SIZE',
      );
    }
    if (!Number.isInteger(frameNumber) || frameNumber < 0 || frameNumber > 0xffffffff) {
      throw new RangeError(`frame number must be a uint32, got ${frameNumber}`);
    }
    this.current.set(frame);
  }

  private commit(frameNumber: number): void {
    [this.previous, this.current] = [this.current, this.previous];
    [this.previous32, this.current32] = [this.current32, this.previous32];
    this.previousNumber = frameNumber;
  }

  /** Writes the changed runs of `current` against `previous` into `runs`; returns their length. */
  private findRuns(): number {
    const a = this.current32;
    const b = this.previous32;
    const cur = this.current;
    const runs = this.runs;
    const words = a.length;
    const pixels = this.pixels;
    let out = 0;
    let endOfLast = 0; // pixel just after the previous run
    let w = 0;
    while (w < words) {
      if (a[w] === b[w]) {
        w++;
        continue;
      }
      const start = w;
      let end = w + 1; // exclusive, in words
      let scan = end;
      while (scan < words) {
        if (a[scan] !== b[scan]) {
          end = ++scan;
        } else if (scan - end >= BRIDGE_WORDS) {
          break;
        } else {
          scan++;
        }
      }
      const from = start * 4;
      const to = Math.min(end * 4, pixels);
      out = writeVarint(runs, out, from - endOfLast);
      out = writeVarint(runs, out, to - from);
      runs.set(cur.subarray(from, to), out);
      out += to - from;
      endOfLast = to;
      w = end;
    }
    return out;
  }
}

/** One standalone key frame (no encoder state), e.g. for a viewer who joins mid-stream. */
export function encodeKeyFrame(
  frame: Uint8Array,
  header: { width: number; height: number; frameNumber: number },
  options: { level?: FrameEncoderOptions['level'] } = {},
): Uint8Array {
  checkSize(header.width, header.height);
  if (frame.length !== header.width * header.height) {
    throw new FrameCodecError(
      `frame has ${frame.length} pixels, expected ${header.width}x${header.height}`,
      'BAD_SIZE',
    );
  }
  const packed = deflateSync(frame, { level: options.level ?? 6 });
  const deflated = packed.length < frame.length;
  const body = deflated ? packed : frame;
  const out = new Uint8Array(KEY_HEADER_BYTES + body.length);
  writeHeader(out, { ...header, key: true, deflated });
  out.set(body, KEY_HEADER_BYTES);
  return out;
}

export interface DecodedFrame extends FrameHeader {
  /**
   * width*height palette indices: the decoder's own buffer, overwritten by later frames. Read (or
   * copy) it before the next `decode`.
   */
  pixels: Uint8Array;
}

/**
 * Decodes one stream, keeping the last frame. A delta decodes only onto the exact frame it was
 * made from: otherwise `decode` throws a `FrameCodecError` with code `MISSING_BASE` and leaves the
 * decoder unchanged, so the caller can wait for (or ask for) the next key frame.
 */
export class FrameDecoder {
  private frame: Uint8Array = new Uint8Array(0);
  private spare: Uint8Array = new Uint8Array(0);
  private width = 0;
  private height = 0;
  private frameNumber = -1;

  /** The number of the last frame decoded, or -1 when there is none (fresh or after `reset`). */
  get lastFrameNumber(): number {
    return this.frameNumber;
  }

  /** True when `data` can be decoded now: a key frame, or a delta on the last frame decoded. */
  canDecode(data: FrameBytes): boolean {
    const header = readFrameHeader(data);
    return header.key || (this.frameNumber >= 0 && header.baseFrameNumber === this.frameNumber);
  }

  /** Forgets the last frame: the next frame decoded must be a key frame. */
  reset(): void {
    this.frameNumber = -1;
  }

  decode(data: FrameBytes): DecodedFrame {
    const bytes = asBytes(data);
    const header = readFrameHeader(bytes);
    const { width, height } = header;
    checkSize(width, height, 'CORRUPT');
    const pixels = width * height;
    const deflated = (bytes[1] & FLAG_DEFLATED) !== 0;
    if (header.key) {
      const body = bytes.subarray(KEY_HEADER_BYTES);
      // Decoded into the spare buffer, so a corrupt key frame leaves the last good frame intact.
      const target = this.spare.length === pixels ? this.spare : new Uint8Array(pixels);
      if (deflated) {
        const got = inflateChecked(body, target);
        if (got !== pixels) throw corrupt(`key frame inflated to ${got} bytes, not ${pixels}`);
      } else {
        if (body.length !== pixels) throw corrupt(`stored key frame has ${body.length} bytes`);
        target.set(body);
      }
      this.spare = this.frame;
      this.frame = target;
      this.width = width;
      this.height = height;
    } else {
      if (this.frameNumber < 0 || header.baseFrameNumber !== this.frameNumber) {
        throw new FrameCodecError(
          `delta frame ${header.frameNumber} applies to frame ${header.baseFrameNumber}, ` +
            (this.frameNumber < 0
              ? 'but no frame has been decoded (wait for a key frame)'
              : `but the last frame decoded is ${this.frameNumber}`),
          'MISSING_BASE',
        );
      }
      if (width !== this.width || height !== this.height) {
        throw corrupt(`delta is ${width}x${height}, the stream is ${this.width}x${this.height}`);
      }
      const rawLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
        14,
        true,
      );
      const body = bytes.subarray(DELTA_HEADER_BYTES);
      let runs: Uint8Array;
      if (deflated) {
        if (rawLength > pixels * 2 + 16) throw corrupt(`delta claims ${rawLength} bytes of runs`);
        runs = new Uint8Array(rawLength);
        const got = inflateChecked(body, runs);
        if (got !== rawLength) throw corrupt(`delta inflated to ${got} bytes, not ${rawLength}`);
      } else {
        runs = body;
      }
      // Checked in full before any pixel is written, so a corrupt delta changes nothing.
      applyRuns(runs, this.frame, false);
      applyRuns(runs, this.frame, true);
    }
    this.frameNumber = header.frameNumber;
    return { ...header, pixels: this.frame };
  }
}

/** Applies delta runs to `frame`, or with `write` false only checks that they fit. */
function applyRuns(runs: Uint8Array, frame: Uint8Array, write: boolean): void {
  let at = 0;
  let pixel = 0;
  const cursor = { at: 0 };
  while (at < runs.length) {
    cursor.at = at;
    const skip = readVarint(runs, cursor);
    const length = readVarint(runs, cursor);
    at = cursor.at;
    pixel += skip;
    if (pixel + length > frame.length || at + length > runs.length) {
      throw corrupt('delta run runs past the end of the frame or the payload');
    }
    if (write) frame.set(runs.subarray(at, at + length), pixel);
    at += length;
    pixel += length;
  }
}

function inflateChecked(body: Uint8Array, out: Uint8Array): number {
  try {
    // fflate truncates to `out` when the data is longer; a longer stream is caught by the length
    // check only if it ends early, so the exact size is compared by the caller.
    return inflateSync(body, { out }).length;
  } catch (error) {
    throw corrupt(`payload does not inflate: ${(error as Error).message}`);
  }
}
