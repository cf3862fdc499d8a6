/**
 * Finding games: the bundled manifest (`roms-manifest/*.json`), the user's own entries
 * (`roms/manifest/*.json`) and ROM files (`roms/*.nes`), matched by SHA-1.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatZodError, UserError } from '../errors.ts';
import { parseRom, sha1Hex } from '../nes/rom.ts';
import { type ManifestEntry, manifestEntrySchema, type RamValue } from './schema.ts';

export * from './schema.ts';

/** The repository root (this file lives in emulators/manifest/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLED_MANIFEST_DIR = join(REPO_ROOT, 'roms-manifest');

/** Where users keep their own ROMs and entries: `$ARENA_ROMS`, else `roms/` in the repository. */
export function userRomsDir(): string {
  return process.env.ARENA_ROMS ? resolve(process.env.ARENA_ROMS) : join(REPO_ROOT, 'roms');
}

/** Parses and validates one entry; the error names the file and each bad field. */
export function parseManifestEntry(json: unknown, source: string): ManifestEntry {
  const result = manifestEntrySchema.safeParse(json);
  if (!result.success) {
    const problems = formatZodError(result.error, '(entry)');
    throw new UserError(`${source}: invalid manifest entry: ${problems}`, 'MANIFEST_INVALID');
  }
  return result.data;
}

export function readManifestFile(file: string): ManifestEntry {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(
      `${file}: not readable JSON: ${(error as Error).message}`,
      'MANIFEST_INVALID',
    );
  }
  return parseManifestEntry(json, file);
}

function readDirEntries(dir: string): ManifestEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => readManifestFile(join(dir, name)));
}

/** Every known entry, bundled first; a user entry with the same id replaces the bundled one. */
export function loadManifest(): ManifestEntry[] {
  const byId = new Map<string, ManifestEntry>();
  for (const entry of readDirEntries(BUNDLED_MANIFEST_DIR)) byId.set(entry.id, entry);
  for (const entry of readDirEntries(join(userRomsDir(), 'manifest'))) byId.set(entry.id, entry);
  return [...byId.values()];
}

export function findEntry(id: string): ManifestEntry {
  const entries = loadManifest();
  const entry = entries.find((candidate) => candidate.id === id);
  if (!entry) {
    throw new UserError(
      `unknown game "${id}"; known games: ${entries.map((e) => e.id).join(', ')} (see \`arena roms list\`)`,
      'BAD_GAME',
    );
  }
  return entry;
}

/** ROM files in the user's roms folder, by SHA-1 (files that are not valid ROMs are skipped). */
export function userRomFiles(): Map<string, string> {
  const dir = userRomsDir();
  const bySha = new Map<string, string>();
  if (!existsSync(dir)) return bySha;
  for (const name of readdirSync(dir).sort()) {
    if (!/\.nes$/i.test(name)) continue;
    const file = join(dir, name);
    bySha.set(sha1Hex(readFileSync(file)), file);
  }
  return bySha;
}

export interface GameRom {
  entry: ManifestEntry;
  bytes: Uint8Array;
  file: string;
}

/** The entry and ROM bytes for a game id; a clear error when the user has no ROM for it. */
export function loadGame(id: string): GameRom {
  const entry = findEntry(id);
  const candidates: string[] = [];
  if (entry.bundledRom) candidates.push(join(REPO_ROOT, entry.bundledRom));
  const user = userRomFiles().get(entry.sha1);
  if (user) candidates.push(user);
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const bytes = new Uint8Array(readFileSync(file));
    if (sha1Hex(bytes) !== entry.sha1) {
      throw new UserError(
        `${file}: SHA-1 ${sha1Hex(bytes)} does not match the manifest entry for "${id}" (${entry.sha1})`,
        'ROM_MISMATCH',
      );
    }
    parseRom(bytes, file);
    return { entry, bytes, file };
  }
  throw new UserError(
    `no ROM for "${id}" (${entry.title}): put your own copy in ${userRomsDir()} or run \`arena roms add FILE\`; ` +
      `it is recognised by SHA-1 ${entry.sha1}`,
    'ROM_MISSING',
  );
}

/** Decodes a RAM value described by the manifest. */
export function readRamValue(ram: Uint8Array, spec: RamValue): number {
  const addresses = typeof spec.address === 'number' ? [spec.address] : spec.address;
  const count = addresses.length;
  let value = 0;
  for (let k = 0; k < count; k++) {
    // Most significant byte first.
    const byte = ram[addresses[spec.endian === 'big' ? k : count - 1 - k]];
    if (spec.encoding === 'binary') value = value * 256 + byte;
    else if (spec.encoding === 'bcd') value = value * 100 + (byte >> 4) * 10 + (byte & 0x0f);
    else value = value * 10 + (byte % 10);
  }
  return value * spec.scale + spec.offset;
}
