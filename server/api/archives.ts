/**
 * Unpacking an uploaded agent archive (.zip, .tar or .tar.gz) in memory into plain files, with
 * the same rules for every format:
 *
 * - the format is read from the bytes (zip and gzip signatures, the tar `ustar` magic), not the
 *   name, so a mislabelled archive is still read right and anything else is refused by name;
 * - only regular files count; directory entries are skipped; links (symbolic or hard), devices
 *   and FIFOs are refused, as are absolute names, `..` segments, backslashes and duplicates;
 * - the folder's files sit at the root or in one top-level folder, and nowhere deeper;
 * - sizes are bounded before bytes are kept: entries' declared sizes, the gzip output and the
 *   unpacked total are each capped, so an archive bomb costs at most the limit.
 *
 * Nothing touches the disk here: the caller writes the returned files into a fresh temporary
 * folder, so a refused archive leaves nothing behind.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { unzipSync } from 'fflate';
import * as tar from 'tar-stream';
import { LIMITS } from '../../agents/format/schema.ts';
import { ApiError } from './errors.ts';

/** Longest accepted total of the archive's files once unpacked. */
export const MAX_UNPACKED =
  LIMITS.weightsTotal + LIMITS.trainingLog + LIMITS.modelJson + LIMITS.agentJson + LIMITS.readme;
/** Entries of any kind (files, folders, metadata) a tar may hold before it is refused. */
const MAX_TAR_ENTRIES = 4 * LIMITS.files;
/** A tar's own bytes besides its files: a 512-byte header per entry, padding and the end marker. */
const TAR_OVERHEAD = (MAX_TAR_ENTRIES + 4) * 2048;
const SAFE_NAME = /^[\w][\w.-]{0,127}$/;

export interface UploadedFile {
  name: string;
  bytes: Uint8Array;
}

export type ArchiveFormat = 'zip' | 'tar' | 'tar.gz';

/** The archive's format from its first bytes, or null for anything else. */
export function archiveFormat(data: Uint8Array): ArchiveFormat | null {
  if (data[0] === 0x50 && data[1] === 0x4b && (data[2] === 3 || data[2] === 5)) return 'zip';
  if (data[0] === 0x1f && data[1] === 0x8b) return 'tar.gz';
  if (isTar(data)) return 'tar';
  return null;
}

function isTar(data: Uint8Array): boolean {
  // POSIX 'ustar\0' and GNU 'ustar ' both start with these five bytes at offset 257.
  return Buffer.from(data.subarray(257, 262)).toString('latin1') === 'ustar';
}

/** A file name as the agent folder allows it: one plain name, no folder. */
export function checkName(name: string): string {
  if (!SAFE_NAME.test(name) || name.includes('..')) {
    throw new ApiError(
      'BAD_REQUEST',
      `bad file name ${JSON.stringify(name)}: plain names only (letters, digits, . - _)`,
    );
  }
  return name;
}

/** The agent folder's files in an uploaded archive; an ApiError naming the problem otherwise. */
export async function unpackArchive(
  data: Uint8Array,
  archiveName: string,
): Promise<UploadedFile[]> {
  const format = archiveFormat(data);
  if (format === 'zip') return folderFiles(unzipEntries(data, archiveName), archiveName);
  if (format === 'tar') return folderFiles(await tarEntries(data, archiveName), archiveName);
  if (format === 'tar.gz') {
    const inner = await gunzipBounded(data, archiveName);
    if (!isTar(inner)) {
      throw new ApiError('BAD_REQUEST', `${archiveName} is gzip-compressed but holds no tar`);
    }
    return folderFiles(await tarEntries(inner, archiveName), archiveName);
  }
  throw new ApiError(
    'BAD_REQUEST',
    `${archiveName} is not a .zip, .tar or .tar.gz archive of the agent folder`,
  );
}

interface RawEntry {
  path: string;
  bytes: Uint8Array;
}

function tooLarge(archiveName: string): never {
  throw new ApiError(
    'PAYLOAD_TOO_LARGE',
    `${archiveName} unpacks to more than ${MAX_UNPACKED} bytes`,
  );
}

function unzipEntries(data: Uint8Array, archiveName: string): RawEntry[] {
  let declared = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(data, {
      filter: (file) => {
        declared += file.originalSize;
        if (declared > MAX_UNPACKED) tooLarge(archiveName);
        return !file.name.endsWith('/');
      },
    });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(
      'BAD_REQUEST',
      `${archiveName} is not a readable .zip archive (${(error as Error).message})`,
    );
  }
  return Object.entries(entries).map(([path, bytes]) => ({ path, bytes }));
}

async function gunzipBounded(data: Uint8Array, archiveName: string): Promise<Uint8Array> {
  try {
    // zlib stops (ERR_BUFFER_TOO_LARGE) as soon as the output passes the cap: a gzip bomb
    // costs at most the cap in memory.
    return await promisify(gunzip)(data, { maxOutputLength: MAX_UNPACKED + TAR_OVERHEAD });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') tooLarge(archiveName);
    throw new ApiError(
      'BAD_REQUEST',
      `${archiveName} is not a readable gzip file (${(error as Error).message})`,
    );
  }
}

async function tarEntries(data: Uint8Array, archiveName: string): Promise<RawEntry[]> {
  const extract = tar.extract();
  const entries: RawEntry[] = [];
  let seen = 0;
  let declared = 0;
  // The whole archive is in memory already; the iterator below reports any parse error.
  extract.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  try {
    for await (const entry of extract) {
      const { name, type, size = 0 } = entry.header;
      if (++seen > MAX_TAR_ENTRIES) {
        throw new ApiError(
          'BAD_REQUEST',
          `${archiveName} holds more than ${MAX_TAR_ENTRIES} entries`,
        );
      }
      if (type === 'directory') {
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        const what =
          type === 'symlink' || type === 'link' ? 'a link' : `a ${type ?? 'special'} entry`;
        throw new ApiError(
          'BAD_REQUEST',
          `${archiveName}: ${JSON.stringify(name)} is ${what}; only plain files are allowed`,
        );
      }
      declared += size;
      if (declared > MAX_UNPACKED) tooLarge(archiveName);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.push({ path: name, bytes: new Uint8Array(Buffer.concat(chunks)) });
    }
  } catch (error) {
    extract.destroy();
    if (error instanceof ApiError) throw error;
    throw new ApiError(
      'BAD_REQUEST',
      `${archiveName} is not a readable tar archive (${(error as Error).message})`,
    );
  }
  return entries;
}

/**
 * Checks an archive's file paths and turns them into the folder's plain names: the files at the
 * root, or all of them in one top-level folder.
 */
function folderFiles(raw: RawEntry[], archiveName: string): UploadedFile[] {
  const entries = raw.map((e) => ({ ...e, path: e.path.replace(/^(\.\/)+/, '') }));
  for (const { path } of entries) {
    if (
      path.startsWith('/') ||
      path.includes('\\') ||
      /^[A-Za-z]:/.test(path) ||
      path.split('/').some((part) => part === '..')
    ) {
      throw new ApiError(
        'BAD_REQUEST',
        `${archiveName}: unsafe path ${JSON.stringify(path)} (absolute, .. or backslash)`,
      );
    }
  }
  if (entries.length === 0) throw new ApiError('BAD_REQUEST', `${archiveName} holds no files`);
  if (entries.length > LIMITS.files) {
    throw new ApiError(
      'BAD_REQUEST',
      `${archiveName} holds ${entries.length} files; at most ${LIMITS.files}`,
    );
  }
  const tops = new Set(
    entries.map((e) => (e.path.includes('/') ? e.path.slice(0, e.path.indexOf('/') + 1) : '')),
  );
  const prefix = tops.size === 1 ? [...tops][0] : '';
  const names = new Set<string>();
  let total = 0;
  return entries.map(({ path, bytes }) => {
    const name = checkName(path.slice(prefix.length));
    if (names.has(name)) throw new ApiError('BAD_REQUEST', `${archiveName} holds ${name} twice`);
    names.add(name);
    total += bytes.byteLength;
    if (total > MAX_UNPACKED) tooLarge(archiveName);
    return { name, bytes };
  });
}
