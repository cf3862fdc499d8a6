import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRom, sha1Hex } from './rom.ts';

const probe = new Uint8Array(
  readFileSync(new URL('../../tests/fixtures/roms/probe.nes', import.meta.url)),
);

function withHeader(edit: (bytes: Uint8Array) => void, source = probe): Uint8Array {
  const copy = source.slice();
  edit(copy);
  return copy;
}

describe('parseRom', () => {
  it('reads the header of a valid NROM image', () => {
    const info = parseRom(probe);
    expect(info).toMatchObject({
      format: 'iNES',
      mapper: 0,
      prgBytes: 16384,
      chrBytes: 8192,
      trainer: false,
    });
    expect(info.sha1).toBe(sha1Hex(probe));
    expect(info.sha1).toMatch(/^[0-9a-f]{40}$/);
  });

  it('rejects a file shorter than a header', () => {
    expect(() => parseRom(probe.subarray(0, 10), 'tiny.nes')).toThrow(
      /tiny\.nes: 10 bytes is too short/,
    );
  });

  it('rejects a file without the iNES magic', () => {
    const bytes = withHeader((b) => {
      b[0] = 0x50;
    });
    expect(() => parseRom(bytes)).toThrow(/not an iNES file/);
  });

  it('rejects a truncated file and says how many bytes were expected', () => {
    expect(() => parseRom(probe.subarray(0, 16 + 16384 + 100))).toThrow(
      /truncated: .*1 x 16 KiB PRG and 1 x 8 KiB CHR \(24592 bytes with the header\) but the file has 16500 bytes/,
    );
  });

  it('rejects a mapper jsnes cannot run', () => {
    const bytes = withHeader((b) => {
      b[6] = (b[6] & 0x0f) | 0x50; // mapper 5 is supported; 21 (VRC4) is not
      b[7] = (b[7] & 0x0f) | 0x10;
    });
    expect(() => parseRom(bytes)).toThrow(/mapper 21 is not supported/);
  });

  it('rejects a header that declares no PRG-ROM', () => {
    const bytes = withHeader((b) => {
      b[4] = 0;
    });
    expect(() => parseRom(bytes)).toThrow(/declares no PRG-ROM/);
  });

  it('counts a trainer in the expected size', () => {
    const bytes = withHeader((b) => {
      b[6] |= 0x04;
    });
    expect(() => parseRom(bytes)).toThrow(/truncated/);
  });

  it('recognises NES 2.0 headers', () => {
    const bytes = withHeader((b) => {
      b[7] = (b[7] & 0xf3) | 0x08;
      b[8] = 0;
      b[9] = 0;
    });
    expect(parseRom(bytes).format).toBe('NES 2.0');
  });
});
