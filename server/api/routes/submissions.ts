/**
 * `POST /api/agents`: an owner uploads a TF.js agent folder. The folder is written to a temporary
 * folder, validated with the same `checkAgentDir` as `arena agent check` (so the CLI predicts the
 * server's answer), and only then recorded and renamed into `<dataDir>/agents/<versionId>/`. Any
 * failure removes the temporary folder and every row made for the upload: a rejected upload
 * leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import type { RequestHandler } from 'express';
import { Router } from 'express';
import { checkAgentDir } from '../../../agents/format/check.ts';
import { findEntry } from '../../../emulators/manifest/index.ts';
import { versionDir } from '../../eval/evaluator.ts';
import { enqueueEvaluation } from '../../eval/jobs.ts';
import type { UploadResponse } from '../../protocol/api.ts';
import type { Agent, AgentVersion, JsonObject } from '../../storage/types.ts';
import { ownerOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, parseOr400 } from '../errors.ts';
import { uploadFields } from '../schemas.ts';
import {
  collectFiles,
  declaredGame,
  type UploadedFile,
  uploadParser,
  writeTempFolder,
} from '../uploads.ts';

export interface SubmissionRouteOptions {
  ctx: ApiContext;
  auth: RequestHandler;
  uploadLimiter: RequestHandler;
}

export function submissionRoutes({ ctx, auth, uploadLimiter }: SubmissionRouteOptions): Router {
  const router = Router();
  const parse = uploadParser(ctx.config.maxUploadBytes);

  // Multer bounds each file; this bounds the whole request before any of it is read.
  const sizeLimit: RequestHandler = (req, _res, next) => {
    const length = Number(req.get('content-length'));
    if (!req.get('content-length') || !Number.isFinite(length)) {
      throw new ApiError('LENGTH_REQUIRED', 'send a Content-Length header with the upload');
    }
    if (length > ctx.config.maxUploadBytes) {
      throw new ApiError(
        'PAYLOAD_TOO_LARGE',
        `the upload is ${length} bytes; the limit is ${ctx.config.maxUploadBytes}`,
      );
    }
    next();
  };

  router.post(
    '/agents',
    auth,
    uploadLimiter,
    requireMultipart,
    sizeLimit,
    parse,
    async (req, res) => {
      const owner = ownerOf(res);
      const fields = parseOr400(uploadFields, { ...req.body }, 'form fields');
      const files = await collectFiles(
        req.files as Record<string, Express.Multer.File[]> | undefined,
      );
      const gameId = fields.game ?? declaredGame(files);
      if (!gameId)
        throw new ApiError(
          'BAD_REQUEST',
          'no game: send a "game" field or a valid agent.json with "game"',
        );
      if (!ctx.storage.getGame(gameId))
        throw new ApiError('BAD_GAME', `no game ${gameId} on this server`);
      const existing = ctx.storage.findAgent({ gameId, name: fields.name });
      if (existing && existing.ownerId !== owner.id) {
        throw new ApiError(
          'FORBIDDEN',
          `agent ${fields.name} on ${gameId} belongs to another owner`,
        );
      }
      if (existing && existing.kind !== 'uploaded')
        throw new ApiError('CONFLICT', `agent ${fields.name} is not an uploaded agent`);

      const tmp = await writeTempFolder(ctx.config.dataDir, files);
      let agent: Agent | null = null;
      let createdAgent = false;
      let version: AgentVersion | null = null;
      let placed = false;
      try {
        const checked = await checkAgentDir(tmp, {
          expectedActions: findEntry(gameId).actions,
          expectedGame: gameId,
        });
        if (existing) agent = existing;
        else {
          agent = ctx.storage.createAgent({
            ownerId: owner.id,
            gameId,
            name: fields.name,
            kind: 'uploaded',
          });
          createdAgent = true;
        }
        version = ctx.storage.addAgentVersion({
          agentId: agent.id,
          modelPaths: checked.files,
          metadata: { agent: checked.meta as unknown as JsonObject, files: checked.files },
          checksum: checksumOf(files),
        });
        await rename(tmp, versionDir(ctx.config.dataDir, version.id));
        placed = true;
        const { job } = await enqueueEvaluation(ctx.queue, version.id);
        ctx.log(
          `${owner.name} uploaded ${gameId}/${agent.name} v${version.version} from ${req.ip}`,
        );
        res.status(201).json({
          agent,
          version: { id: version.id, version: version.version, checksum: version.checksum },
          job: { id: job.id, state: job.state },
        } satisfies UploadResponse);
      } catch (error) {
        // Undo in reverse order; the version's rows go with it, the agent row if this upload made it.
        if (version) {
          ctx.storage.deleteAgentVersion(version.id);
          if (placed)
            await rm(versionDir(ctx.config.dataDir, version.id), { recursive: true, force: true });
        } else if (agent && createdAgent) {
          ctx.storage.deleteAgentIfEmpty(agent.id);
        }
        throw error;
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  );

  return router;
}

const requireMultipart: RequestHandler = (req, _res, next) => {
  if (!req.is('multipart/form-data')) {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      'upload the agent as multipart/form-data ("files" or "archive", plus "name")',
    );
  }
  next();
};

/** `sha256:` over the sorted file names and contents, so the same folder always hashes the same. */
function checksumOf(files: UploadedFile[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`${file.name}\0${file.bytes.byteLength}\0`);
    hash.update(file.bytes);
  }
  return `sha256:${hash.digest('hex')}`;
}
