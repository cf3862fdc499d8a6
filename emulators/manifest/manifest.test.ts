import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROBE_ENTRY_FILE, PROBE_ROM_FILE, probeEntry } from '../../tests/support/probe.ts';
import { buttonMaskOf } from '../actions.ts';
import { loadGame, loadManifest, parseManifestEntry, readRamValue } from './index.ts';

describe('readRamValue', () => {
  const ram = new Uint8Array(0x800);
  ram[0x10] = 0x34;
  ram[0x11] = 0x12;
  ram[0x20] = 1;
  ram[0x21] = 2;
  ram[0x22] = 3;

  it('decodes binary in both byte orders', () => {
    expect(
      readRamValue(ram, {
        address: [0x10, 0x11],
        encoding: 'binary',
        endian: 'little',
        scale: 1,
        offset: 0,
      }),
    ).toBe(0x1234);
    expect(
      readRamValue(ram, {
        address: [0x10, 0x11],
        encoding: 'binary',
        endian: 'big',
        scale: 1,
        offset: 0,
      }),
    ).toBe(0x3412);
  });

  it('decodes BCD and one-digit-a-byte scores, with scale and offset', () => {
    expect(
      readRamValue(ram, {
        address: [0x11, 0x10],
        encoding: 'bcd',
        endian: 'big',
        scale: 1,
        offset: 0,
      }),
    ).toBe(1234);
    expect(
      readRamValue(ram, {
        address: [0x20, 0x21, 0x22],
        encoding: 'digits',
        endian: 'big',
        scale: 10,
        offset: 0,
      }),
    ).toBe(1230);
    expect(
      readRamValue(ram, {
        address: 0x22,
        encoding: 'binary',
        endian: 'little',
        scale: 1,
        offset: -1,
      }),
    ).toBe(2);
  });
});

describe('manifest entries', () => {
  it('accepts the probe entry and applies defaults', () => {
    const entry = probeEntry();
    expect(entry.players).toBe(1);
    expect(entry.reward).toBe('score');
    expect(entry.ram.score.encoding).toBe('binary');
  });

  it('reports each bad field with its path', () => {
    const base = probeEntry();
    expect(() => parseManifestEntry({ ...base, sha1: 'xyz' }, 'bad.json')).toThrow(
      /bad\.json: invalid manifest entry: sha1: /,
    );
    expect(() => parseManifestEntry({ ...base, actions: ['NOOP', 'JUMP'] }, 'bad.json')).toThrow(
      /actions\.1: unknown action "JUMP"/,
    );
    expect(() =>
      parseManifestEntry({ ...base, ram: { ...base.ram, lives: { address: 0x900 } } }, 'x'),
    ).toThrow(/ram\.lives\.address/);
    expect(() => parseManifestEntry({ ...base, extra: true }, 'x')).toThrow(/extra/);
  });

  it('names buttons as actions', () => {
    expect(buttonMaskOf('NOOP')).toBe(0);
    expect(buttonMaskOf('UPLEFTFIRE')).toBe(0b0101_0001);
    expect(() => buttonMaskOf('LEFTRIGHT')).toThrow(/opposite directions/);
    expect(() => buttonMaskOf('FIREFIRE')).toThrow(/names FIRE twice/);
  });
});

describe('user ROMs and entries', () => {
  let dir: string;
  const saved = process.env.ARENA_ROMS;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'arena-roms-'));
    process.env.ARENA_ROMS = dir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.ARENA_ROMS;
    else process.env.ARENA_ROMS = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a user entry and its ROM by SHA-1, whatever the file is called', () => {
    mkdirSync(join(dir, 'manifest'));
    copyFileSync(PROBE_ENTRY_FILE, join(dir, 'manifest', 'probe.json'));
    expect(() => loadGame('probe')).toThrow(/no ROM for "probe".*SHA-1 e08f4a84/);
    copyFileSync(PROBE_ROM_FILE, join(dir, 'My Probe (copy).nes'));
    expect(loadManifest().map((e) => e.id)).toContain('probe');
    expect(loadGame('probe').file).toBe(join(dir, 'My Probe (copy).nes'));
  });

  it('names the known games when the id is unknown', () => {
    expect(() => loadGame('zelda-9')).toThrow(/unknown game "zelda-9"; known games: /);
  });

  it('fails clearly on a malformed entry file', () => {
    mkdirSync(join(dir, 'manifest'));
    writeFileSync(join(dir, 'manifest', 'broken.json'), '{ "id": ');
    expect(() => loadManifest()).toThrow(/broken\.json: not readable JSON/);
  });
});
