/** The probe test cartridge (tests/fixtures/roms/probe.s) and its manifest entry. */
import { readFileSync } from 'node:fs';
import { readManifestFile } from '../../emulators/manifest/index.ts';
import { NesEnv, type NesEnvOptions } from '../../emulators/nes/nesEnv.ts';

export const PROBE_ROM_FILE = new URL('../fixtures/roms/probe.nes', import.meta.url).pathname;
export const PROBE_ENTRY_FILE = new URL('../fixtures/roms/probe.json', import.meta.url).pathname;
export const probeRom = (): Uint8Array => new Uint8Array(readFileSync(PROBE_ROM_FILE));
export const probeEntry = () => readManifestFile(PROBE_ENTRY_FILE);

/** Probe RAM addresses (see probe.s). */
export const PROBE_RAM = {
  scoreLow: 0x10,
  scoreHigh: 0x11,
  lives: 0x12,
  gameOver: 0x13,
  playing: 0x14,
  spriteX: 0x15,
};

export function makeProbeEnv(options: Partial<NesEnvOptions> = {}): NesEnv {
  return new NesEnv({ entry: probeEntry(), rom: probeRom(), ...options });
}
