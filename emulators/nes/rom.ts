/**
 * iNES / NES 2.0 header parsing and validation, done before a ROM reaches the emulator: jsnes
 * silently pads a truncated file with zeros, so every check it skips happens here, with an error
 * that names the problem.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../errors.ts';

/** Mappers jsnes 3 implements (its `src/mappers/`). */
export const SUPPORTED_MAPPERS: ReadonlySet<number> = new Set([
  0, 1, 2, 3, 4, 5, 7, 9, 11, 34, 38, 66, 71, 79, 94, 118, 119, 140, 180, 240, 241,
]);

const HEADER_BYTES = 16;
const TRAINER_BYTES = 512;
const PRG_BANK_BYTES = 16 * 1024;
const CHR_BANK_BYTES = 8 * 1024;

export interface RomInfo {
  /** Lower-case hex SHA-1 of the whole file, the key the manifest uses. */
  sha1: string;
  format: 'iNES' | 'NES 2.0';
  mapper: number;
  prgBytes: number;
  chrBytes: number;
  mirroring: 'horizontal' | 'vertical' | 'four-screen';
  battery: boolean;
  trainer: boolean;
}

export function sha1Hex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/**
 * Parses and validates a ROM image. Throws a `UserError` naming the problem for a file that is
 * not iNES, is truncated, or uses a mapper jsnes cannot run.
 */
export function parseRom(bytes: Uint8Array, name = 'ROM'): RomInfo {
  if (bytes.length < HEADER_BYTES) {
    throw new UserError(
      `${name}: ${bytes.length} bytes is too short to be a NES ROM (an iNES header alone is 16 bytes)`,
      'ROM_TRUNCATED',
    );
  }
  if (bytes[0] !== 0x4e || bytes[1] !== 0x45 || bytes[2] !== 0x53 || bytes[3] !== 0x1a) {
    throw new UserError(
      `${name}: not an iNES file (it must start with the bytes "NES" 0x1A)`,
      'ROM_NOT_INES',
    );
  }
  const flags6 = bytes[6];
  const flags7 = bytes[7];
  const isNes2 = (flags7 & 0x0c) === 0x08;
  let mapper = (flags6 >> 4) | (flags7 & 0xf0);
  let prgBanks = bytes[4];
  let chrBanks = bytes[5];
  if (isNes2) {
    mapper |= (bytes[8] & 0x0f) << 8;
    const prgMsb = bytes[9] & 0x0f;
    const chrMsb = bytes[9] >> 4;
    if (prgMsb === 0x0f || chrMsb === 0x0f) {
      throw new UserError(
        `${name}: NES 2.0 exponent-multiplier ROM sizes are not supported`,
        'ROM_UNSUPPORTED',
      );
    }
    prgBanks |= prgMsb << 8;
    chrBanks |= chrMsb << 8;
  }
  if (prgBanks === 0) {
    throw new UserError(`${name}: the header declares no PRG-ROM`, 'ROM_BAD_HEADER');
  }
  const trainer = (flags6 & 0x04) !== 0;
  const expected =
    HEADER_BYTES +
    (trainer ? TRAINER_BYTES : 0) +
    prgBanks * PRG_BANK_BYTES +
    chrBanks * CHR_BANK_BYTES;
  if (bytes.length < expected) {
    throw new UserError(
      `${name}: truncated: the header declares ${prgBanks} x 16 KiB PRG and ${chrBanks} x 8 KiB CHR ` +
        `(${expected} bytes with the header) but the file has ${bytes.length} bytes`,
      'ROM_TRUNCATED',
    );
  }
  if (!SUPPORTED_MAPPERS.has(mapper)) {
    throw new UserError(
      `${name}: mapper ${mapper} is not supported by the emulator (jsnes runs mappers ` +
        `${[...SUPPORTED_MAPPERS].join(', ')})`,
      'ROM_UNSUPPORTED_MAPPER',
    );
  }
  return {
    sha1: sha1Hex(bytes),
    format: isNes2 ? 'NES 2.0' : 'iNES',
    mapper,
    prgBytes: prgBanks * PRG_BANK_BYTES,
    chrBytes: chrBanks * CHR_BANK_BYTES,
    mirroring: flags6 & 0x08 ? 'four-screen' : flags6 & 0x01 ? 'vertical' : 'horizontal',
    battery: (flags6 & 0x02) !== 0,
    trainer,
  };
}
