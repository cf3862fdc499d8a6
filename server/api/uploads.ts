/**
 * Turning an upload into an agent folder on disk. Two forms are accepted (multipart/form-data):
 *
 *   files=@agent.json files=@model.json files=@weights.bin …   each file of the folder, or
 *   archive=@agent.zip (or .tar, .tar.gz)                      one archive of the folder (files
 *                                                             at its root or in one top folder;
 *                                                             see archives.ts)
 *
 * Files are written into a fresh temporary folder under `<dataDir>/tmp/`; the caller validates it
 * with `checkAgentDir` and either renames it into place or removes it. Names are checked here so
 * nothing can be written outside that folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import multer, { MulterError } from 'multer';
import { LIMITS } from '../../agents/format/schema.ts';
import { checkName, MAX_UNPACKED, type UploadedFile, unpackArchive } from './archives.ts';
import { ApiError } from './errors.ts';

export type { UploadedFile } from './archives.ts';

/**
 * The multipart parser: in memory (limits bound it), at most one archive or the folder's files.
 * Files are kept in memory, so whatever else the parser reports (busboy's "Multipart: Boundary
 * not found", "Unexpected end of form", a malformed part header) is a malformed request: a 400
 * naming the problem.
 */
export function uploadParser(maxBytes: number): RequestHandler {
  const parse = multer({
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
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error instanceof MulterError || error instanceof ApiError) {
        next(error);
        return;
      }
      const detail = error instanceof Error ? error.message : String(error);
      next(new ApiError('BAD_REQUEST', `malformed multipart/form-data body: ${detail}`));
    });
  };
}

/** The uploaded files, whichever form was used; a 400 naming the problem otherwise. */
export async function collectFiles(
  files: Record<string, Express.Multer.File[]> | undefined,
): Promise<UploadedFile[]> {
  const parts = files?.files ?? [];
  const archives = files?.archive ?? [];
  if (parts.length > 0 && archives.length > 0)
    throw new ApiError('BAD_REQUEST', 'send either "files" or "archive", not both');
  if (archives.length === 1) {
    const { buffer, originalname } = archives[0];
    return unpackArchive(
      new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
      originalname || 'the archive',
    );
  }
  if (parts.length === 0)
    throw new ApiError(
      'BAD_REQUEST',
      'no agent files: send the folder\'s files as "files" or a .zip, .tar or .tar.gz as "archive"',
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
