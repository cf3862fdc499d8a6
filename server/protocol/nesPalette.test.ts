import { describe, expect, it } from 'vitest';
import { makeNesEnv } from '../../emulators/index.ts';
import { NES_PALETTE_RGB, paletteIndicesToRgba } from './nesPalette.ts';

describe('NES palette for the browser', () => {
  it('matches the emulator colour for colour', () => {
    const machine = makeNesEnv({ game: 'brick' }).machine;
    for (let colour = 0; colour < 64; colour++) {
      const bgr = machine.rgbOfCode[1 + colour]; // code = 1 + colour without emphasis
      const rgb = ((bgr & 0xff) << 16) | (bgr & 0xff00) | ((bgr >> 16) & 0xff);
      expect(NES_PALETTE_RGB[colour]).toBe(rgb);
    }
  });

  it('renders a frame exactly as the emulator does', () => {
    const env = makeNesEnv({ game: 'brick' });
    env.reset({ seed: 1 });
    for (let i = 0; i < 10; i++) env.step(1);
    const ours = paletteIndicesToRgba(env.machine.screenPaletteIndices());
    const emulator = env.machine.screenRgba();
    expect(ours.length).toBe(emulator.length);
    let differing = 0;
    for (let i = 0; i < ours.length; i++) if (ours[i] !== emulator[i]) differing++;
    expect(differing).toBe(0);
  });
});
