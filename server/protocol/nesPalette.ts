/**
 * The 64 NES colours as the project's emulator draws them (jsnes's NTSC palette, no colour
 * emphasis), so a browser can turn decoded palette indices into pixels without the emulator.
 * `nesPalette.test.ts` checks this table against `NesMachine.rgbOfCode`, so they cannot drift.
 */

/** NES palette index (0..63) -> 0xRRGGBB. */
// biome-ignore format: eight colours a line, two lines per row of the NES palette
export const NES_PALETTE_RGB: readonly number[] = [
  0x525252, 0x0000b4, 0x0000a0, 0x3d00b1, 0x690074, 0x5b0000, 0x5f0000, 0x401800,
  0x102f00, 0x084a08, 0x006700, 0x004212, 0x00286d, 0x000000, 0x000000, 0x000000,
  0xe7d5c4, 0x0040ff, 0x220edc, 0x6b47ff, 0x9f00d7, 0xd70a68, 0xbc1900, 0xb15400,
  0x5b6a00, 0x038c00, 0x00ab00, 0x00882c, 0x0072a4, 0x000000, 0x000000, 0x000000,
  0xf8f8f8, 0x3cabff, 0x8179ff, 0xc55bff, 0xf248ff, 0xff49df, 0xff6d47, 0xf7b400,
  0xffe000, 0x75e300, 0x2bf403, 0x2eb878, 0x18e2e5, 0x787878, 0x000000, 0x000000,
  0xffffff, 0xbef2ff, 0xb8b8f8, 0xd8b8f8, 0xffb6ff, 0xffc3ff, 0xffd1c7, 0xffda9a,
  0xf8ed88, 0xddff83, 0xb8f8b8, 0xacf8f5, 0xb0ffff, 0xf8d8f8, 0x000000, 0x000000,
];

/**
 * Writes palette indices as RGBA bytes (4 a pixel, opaque), e.g. into a canvas `ImageData.data`.
 * Indices are taken modulo 64.
 */
export function paletteIndicesToRgba(
  pixels: Uint8Array,
  out: Uint8Array | Uint8ClampedArray = new Uint8ClampedArray(pixels.length * 4),
): Uint8Array | Uint8ClampedArray {
  if (out.length < pixels.length * 4) {
    throw new RangeError(
      `RGBA buffer of ${out.length} bytes is too small for ${pixels.length} pixels`,
    );
  }
  for (let i = 0, o = 0; i < pixels.length; i++, o += 4) {
    const rgb = NES_PALETTE_RGB[pixels[i] & 0x3f];
    out[o] = rgb >> 16;
    out[o + 1] = (rgb >> 8) & 0xff;
    out[o + 2] = rgb & 0xff;
    out[o + 3] = 0xff;
  }
  return out;
}
