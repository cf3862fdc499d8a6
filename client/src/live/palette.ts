/**
 * Drawing NES palette indices. The stream carries one byte a pixel (an index 0..63 into the NES
 * palette); the canvas wants RGBA. `drawIndexedFrame` maps a frame through a table of whole
 * 32-bit RGBA words (one store a pixel instead of four) into an ImageData's bytes.
 */
import { NES_PALETTE_RGB } from '../../../server/protocol/live.ts';

/**
 * The 64 NES colours as 0xRRGGBB by palette index: the server's own table (the emulator's NTSC
 * palette), so the page shows exactly the colours the agents see.
 */
export const NES_PALETTE: readonly number[] = NES_PALETTE_RGB;

/** Whether this machine stores a Uint32 low byte first (every browser in practice). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * A 256-entry table of opaque RGBA pixels as the machine's Uint32 words, so that writing
 * `table[index]` into a Uint32Array over ImageData bytes yields R, G, B, A in memory order.
 * Indices 64..255 (never sent by a well-behaved server) repeat the palette (index & 63).
 */
export function rgbaLookup(palette: readonly number[] = NES_PALETTE): Uint32Array {
  if (palette.length !== 64)
    throw new RangeError(`a NES palette has 64 colours, got ${palette.length}`);
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const rgb = palette[i & 63];
    const r = (rgb >>> 16) & 0xff;
    const g = (rgb >>> 8) & 0xff;
    const b = rgb & 0xff;
    table[i] = LITTLE_ENDIAN
      ? ((0xff << 24) | (b << 16) | (g << 8) | r) >>> 0
      : ((r << 24) | (g << 16) | (b << 8) | 0xff) >>> 0;
  }
  return table;
}

/** What `drawIndexedFrame` writes into: an ImageData, or anything with its `data` bytes. */
export interface RgbaTarget {
  data: Uint8ClampedArray;
}

/**
 * Writes `pixels` (palette indices, row-major, one byte a pixel) into `target.data` as RGBA.
 * `target.data` must hold exactly `pixels.length * 4` bytes.
 */
export function drawIndexedFrame(
  pixels: Uint8Array,
  target: RgbaTarget,
  lookup: Uint32Array,
): void {
  const { data } = target;
  if (data.length !== pixels.length * 4) {
    throw new RangeError(`target holds ${data.length / 4} pixels, the frame ${pixels.length}`);
  }
  const words = new Uint32Array(data.buffer, data.byteOffset, pixels.length);
  for (let i = 0; i < pixels.length; i++) words[i] = lookup[pixels[i]];
}
