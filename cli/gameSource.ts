/** Resolves `--game ID` or `--rom FILE` to a manifest entry and ROM bytes. */
import { readFileSync } from 'node:fs';
import { UserError } from '../emulators/errors.ts';
import { type GameRom, loadGame, loadManifest } from '../emulators/manifest/index.ts';
import { parseRom } from '../emulators/nes/rom.ts';

export function resolveGame(options: { game?: string; rom?: string }): GameRom {
  if (options.game && options.rom) throw new UserError('give --game or --rom, not both');
  if (options.game) return loadGame(options.game);
  if (!options.rom) throw new UserError('give --game ID (see `arena roms list`) or --rom FILE');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(options.rom));
  } catch (error) {
    throw new UserError(`cannot read ${options.rom}: ${(error as Error).message}`);
  }
  const info = parseRom(bytes, options.rom);
  const entry = loadManifest().find((candidate) => candidate.sha1 === info.sha1);
  if (!entry) {
    throw new UserError(
      `${options.rom} (SHA-1 ${info.sha1}) is not in the manifest: write an entry for it and add both with ` +
        '`arena roms add FILE --manifest ENTRY.json` (see roms-manifest/README.md)',
      'ROM_UNKNOWN',
    );
  }
  return { entry, bytes, file: options.rom };
}
