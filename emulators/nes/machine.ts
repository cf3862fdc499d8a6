/**
 * The one adapter between the project and jsnes: power on a ROM, run frames, press buttons, read
 * and write RAM, read the screen, save and restore state. Nothing else imports jsnes.
 *
 * The screen is kept as packed pixels, not RGB: the PPU's palette lookup is redirected so every
 * pixel it draws is `gray << 16 | code`, where `code = 1 + nesColour + 64 * emphasis` (0 = the
 * blank the PPU writes into clipped columns) and `gray` its luminance. Observation preprocessing
 * reads gray with one shift (and max-pools packed pixels directly, since gray is the high part);
 * RGB and the 6-bit palette index are one table lookup on `pixel & CODE_MASK`. This keeps
 * preprocessing far below the cost of emulation.
 */
import * as jsnes from 'jsnes';
import { parseRom, type RomInfo } from './rom.ts';

export const SCREEN_WIDTH = 256;
export const SCREEN_HEIGHT = 240;
export const SCREEN_PIXELS = SCREEN_WIDTH * SCREEN_HEIGHT;
/** Number of distinct colour codes in the screen buffer (blank + 64 colours x 8 emphasis). */
export const COLOUR_CODES = 1 + 64 * 8;
/** Extracts the colour code from a packed screen pixel; `pixel >>> 16` is its gray. */
export const CODE_MASK = 0xffff;

/** NES controller buttons, as bit positions in a button mask. */
export const Button = {
  A: 0,
  B: 1,
  SELECT: 2,
  START: 3,
  UP: 4,
  DOWN: 5,
  LEFT: 6,
  RIGHT: 7,
} as const;
export type ButtonName = keyof typeof Button;

/**
 * An opaque snapshot of the whole machine, kept as JSON text: parsing it back is about three
 * times cheaper than structuredClone of the object form, and a restore must never share arrays
 * with the snapshot (jsnes assigns some plain arrays by reference).
 */
export type MachineState = string & { readonly __machineState: true };

// The parts of jsnes's internals the adapter relies on (its public typings stop at `NES`).
interface JsnesPaletteTable {
  currentEmph: number;
  emphTable: Uint32Array[];
  getEntry(value: number): number;
}
interface JsnesNes {
  loadROM(data: Uint8Array): void;
  frame(): void;
  toJSON(): object;
  fromJSON(state: object): void;
}
// jsnes's bundled typings do not resolve under NodeNext, so the constructor is typed here.
const NES = (jsnes as unknown as { NES: new (options: object) => JsnesNes }).NES;

interface JsnesInternals {
  cpu: { mem: Uint8Array };
  ppu: { buffer: Uint32Array; palTable: JsnesPaletteTable; updatePalettes(): void };
  controllers: Record<1 | 2, { state: number[] }>;
  crashed?: boolean;
}

const PRESSED = 0x41;
const RELEASED = 0x40;

export class NesMachine {
  readonly rom: RomInfo;
  /** Colour code -> 0x00BBGGRR, the emulator's own NTSC palette with emphasis. */
  readonly rgbOfCode = new Uint32Array(COLOUR_CODES);
  /** Colour code -> luminance 0..255 (ITU-R BT.601 weights, as ALE's grayscale). */
  readonly grayOfCode = new Uint8Array(COLOUR_CODES);
  /** Colour code -> NES palette index 0..63 (blank -> 0x0F, the canonical black). */
  readonly paletteIndexOfCode = new Uint8Array(COLOUR_CODES);

  private readonly nes: JsnesNes;
  private readonly internals: JsnesInternals;
  private readonly buttonMasks = new Uint8Array(3);

  /** Validates the ROM (clear errors for bad files) and powers the machine on. */
  constructor(romBytes: Uint8Array, name = 'ROM') {
    this.rom = parseRom(romBytes, name);
    this.nes = new NES({ emulateSound: false, onFrame: () => {} });
    this.internals = this.nes as unknown as JsnesInternals;
    this.nes.loadROM(romBytes);
    this.buildColourTables();
    this.patchPalette();
  }

  /** Runs one video frame (1/60 s of NES time). */
  frame(): void {
    this.nes.frame();
  }

  /** Presses exactly the buttons in `mask` (bit i = `Button` i) on controller 1 or 2. */
  setButtons(controller: 1 | 2, mask: number): void {
    if (this.buttonMasks[controller] === mask) return;
    this.buttonMasks[controller] = mask;
    const state = this.internals.controllers[controller].state;
    for (let bit = 0; bit < 8; bit++) state[bit] = (mask >> bit) & 1 ? PRESSED : RELEASED;
  }

  /** The 2 KiB of work RAM ($0000-$07FF), live: reads see the current value. */
  get ram(): Uint8Array {
    return this.internals.cpu.mem.subarray(0, 0x800);
  }

  readRam(address: number): number {
    return this.internals.cpu.mem[address & 0x7ff];
  }

  writeRam(address: number, value: number): void {
    this.internals.cpu.mem[address & 0x7ff] = value & 0xff;
  }

  /** The last frame as packed pixels (256x240, row-major); the same array every frame. */
  get screen(): Uint32Array {
    return this.internals.ppu.buffer;
  }

  /** Writes the last frame as RGBA bytes (256x240x4) into `out`. */
  screenRgba(out: Uint8Array = new Uint8Array(SCREEN_PIXELS * 4)): Uint8Array {
    const screen = this.screen;
    const rgb = this.rgbOfCode;
    for (let i = 0, o = 0; i < SCREEN_PIXELS; i++, o += 4) {
      const colour = rgb[screen[i] & CODE_MASK];
      out[o] = colour & 0xff;
      out[o + 1] = (colour >> 8) & 0xff;
      out[o + 2] = (colour >> 16) & 0xff;
      out[o + 3] = 0xff;
    }
    return out;
  }

  /** Writes the last frame as NES palette indices, one byte a pixel (256x240), into `out`. */
  screenPaletteIndices(out: Uint8Array = new Uint8Array(SCREEN_PIXELS)): Uint8Array {
    const screen = this.screen;
    const index = this.paletteIndexOfCode;
    for (let i = 0; i < SCREEN_PIXELS; i++) out[i] = index[screen[i] & CODE_MASK];
    return out;
  }

  /** A full snapshot (CPU, PPU, APU, mapper, controllers); restore it with `loadState`. */
  saveState(): MachineState {
    return JSON.stringify(this.nes.toJSON()) as MachineState;
  }

  loadState(state: MachineState): void {
    // jsnes's fromJSON rebuilds the CPU and PPU objects, so the palette redirect is applied again.
    this.nes.fromJSON(JSON.parse(state));
    this.patchPalette();
    const controllers = this.internals.controllers;
    for (const id of [1, 2] as const) {
      let mask = 0;
      for (let bit = 0; bit < 8; bit++)
        if (controllers[id].state[bit] === PRESSED) mask |= 1 << bit;
      this.buttonMasks[id] = mask;
    }
  }

  /** Redirects the PPU's palette lookup to packed pixels (see the module comment). */
  private patchPalette(): void {
    const table = this.internals.ppu.palTable;
    const gray = this.grayOfCode;
    table.getEntry = (value: number) => {
      const code = 1 + (value & 0x3f) + 64 * Math.max(0, table.currentEmph);
      return (gray[code] << 16) | code;
    };
    this.internals.ppu.updatePalettes();
  }

  private buildColourTables(): void {
    const emphTable = this.internals.ppu.palTable.emphTable;
    this.paletteIndexOfCode[0] = 0x0f;
    for (let emphasis = 0; emphasis < 8; emphasis++) {
      for (let colour = 0; colour < 64; colour++) {
        const code = 1 + colour + 64 * emphasis;
        const bgr = emphTable[emphasis][colour];
        this.rgbOfCode[code] = bgr;
        const r = bgr & 0xff;
        const g = (bgr >> 8) & 0xff;
        const b = (bgr >> 16) & 0xff;
        this.grayOfCode[code] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
        this.paletteIndexOfCode[code] = colour;
      }
    }
  }
}
