/**
 * The frame codec's wire format and its low-level pieces (header, varints, errors), shared by the
 * encoder and decoder in `frameCodec.ts`. Browser-safe: no Node-only API.
 *
 * Wire format of one encoded frame (all integers little-endian):
 *
 *   offset size  field
 *   0      1     version (FRAME_CODEC_VERSION)
 *   1      1     flags: bit 0 = key frame, bit 1 = payload deflated (else stored)
 *   2      2     width in pixels
 *   4      2     height in pixels
 *   6      4     frame number (uint32, chosen by the publisher, increasing within a stream)
 *   -- delta frames only --
 *   10     4     base frame number: the frame this delta applies to
 *   14     4     length of the payload once inflated
 *   --
 *   10|18  ...   payload
 *
 * Key payload: width*height pixel bytes, row-major. Delta payload: runs, each
 * `skip` (varint, unchanged pixels before the run), `length` (varint), then `length` pixel bytes
 * replacing those pixels; pixels after the last run are unchanged. Varints are LEB128 (7 bits a
 * byte, low bits first). Any byte value round-trips; 6-bit indices merely compress better.
 */

export const FRAME_CODEC_VERSION = 1;
export const KEY_HEADER_BYTES = 10;
export const DELTA_HEADER_BYTES = 18;
export const FLAG_KEY = 1;
export const FLAG_DEFLATED = 2;
/** Largest screen the decoder accepts, so a hostile header cannot make it allocate gigabytes. */
export const MAX_FRAME_PIXELS = 1024 * 1024;

export type FrameCodecErrorCode = 'MISSING_BASE' | 'CORRUPT' | 'BAD_SIZE';

/** A frame that cannot be decoded; `code` says why (a missing base is routine after a gap). */
export class FrameCodecError extends Error {
  constructor(
    message: string,
    readonly code: FrameCodecErrorCode,
  ) {
    super(message);
    this.name = 'FrameCodecError';
  }
}

export interface FrameHeader {
  key: boolean;
  width: number;
  height: number;
  frameNumber: number;
  /** The frame a delta applies to; equal to `frameNumber` for key frames. */
  baseFrameNumber: number;
}

/** Bytes as they arrive: socket.io hands Node a Buffer and browsers an ArrayBuffer. */
export type FrameBytes = Uint8Array | ArrayBuffer;

export const asBytes = (data: FrameBytes): Uint8Array =>
  data instanceof Uint8Array ? data : new Uint8Array(data);

/** Reads an encoded frame's header without decoding it (e.g. to skip deltas until a key frame). */
export function readFrameHeader(data: FrameBytes): FrameHeader {
  const bytes = asBytes(data);
  if (bytes.length < KEY_HEADER_BYTES) throw corrupt(`frame of ${bytes.length} bytes is too short`);
  if (bytes[0] !== FRAME_CODEC_VERSION) {
    throw corrupt(`unknown frame codec version ${bytes[0]} (expected ${FRAME_CODEC_VERSION})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const key = (bytes[1] & FLAG_KEY) !== 0;
  const frameNumber = view.getUint32(6, true);
  if (!key && bytes.length < DELTA_HEADER_BYTES) throw corrupt('delta frame header is truncated');
  return {
    key,
    width: view.getUint16(2, true),
    height: view.getUint16(4, true),
    frameNumber,
    baseFrameNumber: key ? frameNumber : view.getUint32(10, true),
  };
}

export function writeHeader(
  out: Uint8Array,
  header: { key: boolean; deflated: boolean; width: number; height: number; frameNumber: number },
): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = FRAME_CODEC_VERSION;
  out[1] = (header.key ? FLAG_KEY : 0) | (header.deflated ? FLAG_DEFLATED : 0);
  view.setUint16(2, header.width, true);
  view.setUint16(4, header.height, true);
  view.setUint32(6, header.frameNumber, true);
}

export function writeVarint(out: Uint8Array, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[at++] = v;
  return at;
}

export function readVarint(data: Uint8Array, cursor: { at: number }): number {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (cursor.at >= data.length) throw corrupt('delta run is truncated');
    const byte = data[cursor.at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value;
    shift += 7;
    if (shift > 28) throw corrupt('delta varint is too long');
  }
}

export function checkSize(
  width: number,
  height: number,
  code: FrameCodecErrorCode = 'BAD_SIZE',
): void {
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    width > 0xffff ||
    height > 0xffff ||
    width * height > MAX_FRAME_PIXELS
  ) {
    throw new FrameCodecError(`bad frame size ${width}x${height}`, code);
  }
}

export function corrupt(message: string): FrameCodecError {
  return new FrameCodecError(message, 'CORRUPT');
}
