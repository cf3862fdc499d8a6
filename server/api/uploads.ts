/**
 * Turning an upload into an agent folder on disk. Two forms are accepted (multipart/form-data):
 *
 *   files=@agent.json files=@model.json files=@weights.bin …   each file of the folder, or
 *   archive=@agent.zip                                         one .zip of the folder (files at
 *                                                             its root or in one top folder)
 *
 * Files are written into a fresh temporary folder under `<dataDir>/tmp/`; the caller validates it
 * with `checkAgentDir` and either renames it into place or removes it. Names are checked here so
 * nothing can be written outside that folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import multer from 'multer';
import { LIMITS } from '../../agents/format/schema.ts';
import { ApiError } from './errors.ts';

/** Longest accepted total of the archive's files once unpacked. */
const MAX_UNPACKED =
  LIMITS.weightsTotal + LIMITS.trainingLog + LIMITS.modelJson + LIMITS.agentJson + LIMITS.readme;
const SAFE_NAME = /^[\w][\w.-]{0,127}$/;

export interface UploadedFile {
  name: string;
  bytes: Uint8Array;
}

/** The multipart parser: in memory (limits bound it), at most one archive or the folder's files. */
export function uploadParser(maxBytes: number) {
  return multer({
    storage: multer.memoryStorage(),
    // Keep the names as sent, so a name with a path is refused by name rather than silently cut.
    preservePath: true,
    limits: {
      fileSize: Math.min(maxBytes, MAX_UNPACKED),
      files: LIMITS.files,
      fields: 8,
      fieldSize: 4096,
      parts: LIMITS.files + 8,
    },
  }).fields([
    { name: 'files', maxCount: LIMITS.files },
    { name: 'archive', maxCount: 1 },
  ]);
}

/** The uploaded files, whichever form was used; a 400 naming the problem otherwise. */
export function collectFiles(
  files: Record<string, Express.Multer.File[]> | undefined,
): UploadedFile[] {
  const parts = files?.files ?? [];
  const archives = files?.archive ?? [];
  if (parts.length > 0 && archives.length > 0)
    throw new ApiError('BAD_REQUEST', 'send either "files" or "archive", not both');
  if (archives.length === 1) return unpackZip(archives[0].buffer, archives[0].originalname);
  if (parts.length === 0)
    throw new ApiError(
      'BAD_REQUEST',
      'no agent files: send the folder\'s files as "files" or a .zip as "archive"',
    );
  const seen = new Set<string>();
  return parts.map((part) => {
    const name = checkName(part.originalname);
    if (seen.has(name)) throw new ApiError('BAD_REQUEST', `file ${name} was sent twice`);
    seen.add(name);
    return {
      name,
      bytes: new Uint8Array(part.buffer.buffer, part.buffer.byteOffset, part.buffer.byteLength),
    };
  });
}

function checkName(name: string): string {
  if (!SAFE_NAME.test(name) || name.includes('..')) {
    throw new ApiError(
      'BAD_REQUEST',
      `bad file name ${JSON.stringify(name)}: plain names only (letters, digits, . - _)`,
    );
  }
  return name;
}

function unpackZip(data: Buffer, archiveName: string): UploadedFile[] {
  let declared = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
      filter: (file) => {
        declared += file.originalSize;
        if (declared > MAX_UNPACKED)
          throw new ApiError(
            'PAYLOAD_TOO_LARGE',
            `${archiveName} unpacks to more than ${MAX_UNPACKED} bytes`,
          );
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
  const names = Object.keys(entries);
  if (names.length === 0) throw new ApiError('BAD_REQUEST', `${archiveName} holds no files`);
  if (names.length > LIMITS.files)
    throw new ApiError(
      'BAD_REQUEST',
      `${archiveName} holds ${names.length} files; at most ${LIMITS.files}`,
    );
  // Accept the folder's files at the root, or all inside one top-level folder.
  const tops = new Set(names.map((n) => (n.includes('/') ? n.slice(0, n.indexOf('/') + 1) : '')));
  const prefix = tops.size === 1 ? [...tops][0] : '';
  let total = 0;
  return names.map((full) => {
    const name = checkName(full.slice(prefix.length));
    total += entries[full].byteLength;
    if (total > MAX_UNPACKED)
      throw new ApiError(
        'PAYLOAD_TOO_LARGE',
        `${archiveName} unpacks to more than ${MAX_UNPACKED} bytes`,
      );
    return { name, bytes: entries[full] };
  });
}

/** Writes the files into a new folder `<dataDir>/tmp/upload-<random>` and returns its path. */
export async function writeTempFolder(dataDir: string, files: UploadedFile[]): Promise<string> {
  const dir = join(dataDir, 'tmp', `upload-${randomBytes(8).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  try {
    for (const file of files) await writeFile(join(dir, file.name), file.bytes, { flag: 'wx' });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

/** Reads `game` from an uploaded agent.json without trusting anything else in it. */
export function declaredGame(files: UploadedFile[]): string | undefined {
  const meta = files.find((f) => f.name === 'agent.json');
  if (!meta || meta.bytes.byteLength > LIMITS.agentJson) return undefined;
  try {
    const json = JSON.parse(Buffer.from(meta.bytes).toString('utf8')) as { game?: unknown };
    return typeof json.game === 'string' ? json.game : undefined;
  } catch {
    return undefined;
  }
}
