import { describe, expect, it } from 'vitest';
import { paletteIndicesToRgba } from '../../../server/protocol/live.ts';
import { drawIndexedFrame, NES_PALETTE, rgbaLookup } from './palette.ts';

/** The RGBA bytes of pixel `i` of a drawn frame. */
const pixelAt = (data: Uint8ClampedArray, i: number) => Array.from(data.subarray(i * 4, i * 4 + 4));

describe('NES palette drawing', () => {
  it('uses the 64 colours of the server, index 0x0F black and 0x30 white', () => {
    expect(NES_PALETTE).toHaveLength(64);
    expect(NES_PALETTE[0x0f]).toBe(0x000000);
    expect(NES_PALETTE[0x30]).toBe(0xffffff);
  });

  it('maps each palette index to its opaque RGB colour', () => {
    const lookup = rgbaLookup();
    const pixels = Uint8Array.from([0x00, 0x01, 0x16, 0x2a, 0x30, 0x0f]);
    const target = { data: new Uint8ClampedArray(pixels.length * 4) };
    drawIndexedFrame(pixels, target, lookup);
    pixels.forEach((index, i) => {
      const rgb = NES_PALETTE[index];
      expect(pixelAt(target.data, i)).toEqual([
        (rgb >> 16) & 255,
        (rgb >> 8) & 255,
        rgb & 255,
        255,
      ]);
    });
    expect(pixelAt(target.data, 2)).toEqual([0xbc, 0x19, 0x00, 255]);
  });

  it('draws a whole 256x240 screen row-major and redraws only through the table', () => {
    const lookup = rgbaLookup();
    const pixels = new Uint8Array(256 * 240);
    for (let y = 0; y < 240; y++) pixels.fill(y % 64, y * 256, (y + 1) * 256);
    const target = { data: new Uint8ClampedArray(256 * 240 * 4) };
    drawIndexedFrame(pixels, target, lookup);
    const rgbOf = (index: number) => {
      const rgb = NES_PALETTE[index];
      return [(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255, 255];
    };
    expect(pixelAt(target.data, 0)).toEqual(rgbOf(0));
    expect(pixelAt(target.data, 100 * 256 + 17)).toEqual(rgbOf(100 % 64));
    expect(pixelAt(target.data, 239 * 256 + 255)).toEqual(rgbOf(239 % 64));
  });

  it('writes into a view at an offset without touching bytes outside it', () => {
    const backing = new Uint8ClampedArray(4 + 8 + 4).fill(7);
    const target = { data: new Uint8ClampedArray(backing.buffer, 4, 8) };
    drawIndexedFrame(Uint8Array.from([0x21, 0x0f]), target, rgbaLookup());
    expect(Array.from(backing.subarray(0, 4))).toEqual([7, 7, 7, 7]);
    expect(Array.from(backing.subarray(12))).toEqual([7, 7, 7, 7]);
    expect(pixelAt(target.data, 0)).toEqual([0x3c, 0xab, 0xff, 255]);
  });

  it('draws what the byte-wise converter of the protocol draws', () => {
    const pixels = Uint8Array.from({ length: 256 }, (_, i) => i);
    const target = { data: new Uint8ClampedArray(256 * 4) };
    drawIndexedFrame(pixels, target, rgbaLookup());
    expect(Array.from(target.data)).toEqual(Array.from(paletteIndicesToRgba(pixels)));
  });

  it('folds out-of-range indices into the palette and rejects a wrong-sized target', () => {
    const lookup = rgbaLookup();
    expect(lookup[0x40 + 0x16]).toBe(lookup[0x16]);
    expect(() =>
      drawIndexedFrame(new Uint8Array(4), { data: new Uint8ClampedArray(12) }, lookup),
    ).toThrow(RangeError);
    expect(() => rgbaLookup([0, 1, 2])).toThrow(/64 colours/);
  });
});
