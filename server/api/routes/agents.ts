/** Agents, versions, episodes and replays (reads), and version deletion by its owner. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import { Router } from 'express';
import { versionDir } from '../../eval/evaluator.ts';
import { evaluationEnded } from '../../eval/jobs.ts';
import type {
  AgentDetailsResponse,
  AgentsResponse,
  EpisodeReplayResponse,
  EpisodesResponse,
  TrainingLogResponse,
  VersionDeletionResponse,
  VersionDetailsResponse,
  VersionSummary,
} from '../../protocol/api.ts';
import { ownerOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, parseOr400 } from '../errors.ts';
import { agentsQuery, episodeParams, idParams, pageQuery, versionParams } from '../schemas.ts';
import { readTrainingLog, type TrainingLogView } from '../trainingLog.ts';
import { episodeView, statsView } from '../views.ts';

export interface AgentRouteOptions {
  ctx: ApiContext;
  auth: RequestHandler;
}

export function agentRoutes({ ctx, auth }: AgentRouteOptions): Router {
  const router = Router();
  const { storage } = ctx;

  router.get('/agents', (req, res) => {
    const { game, owner } = parseOr400(agentsQuery, req.query, 'query');
    res.json({
      agents: storage.listAgents({ gameId: game, ownerId: owner }),
    } satisfies AgentsResponse);
  });

  router.get('/agents/:id', (req, res) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const details = storage.getAgentDetails(id);
    if (!details) throw new ApiError('NOT_FOUND', `no agent ${id}`);
    res.json({
      agent: details.agent,
      owner: { id: details.owner.id, name: details.owner.name },
      versions: details.versions.map((v) => ({ ...versionSummary(v), stats: statsView(v.stats) })),
    } satisfies AgentDetailsResponse);
  });

  router.delete('/agents/:id/versions/:version', auth, async (req, res) => {
    const { id, version } = parseOr400(versionParams, req.params, 'path');
    const details = storage.getAgentDetails(id);
    if (!details) throw new ApiError('NOT_FOUND', `no agent ${id}`);
    if (details.agent.ownerId !== ownerOf(res).id)
      throw new ApiError('FORBIDDEN', `agent ${id} belongs to another owner`);
    const target = details.versions.find((v) => v.version === version);
    if (!target) throw new ApiError('NOT_FOUND', `agent ${id} has no version ${version}`);
    const { agentDeleted } = storage.deleteAgentVersion(target.id);
    await rm(versionDir(ctx.config.dataDir, target.id), { recursive: true, force: true });
    ctx.events?.leaderboardChanged({
      game: details.agent.gameId,
      agentId: id,
      versionId: target.id,
      evaluationEnded: false,
    });
    res.json({
      deleted: { agentId: id, version, versionId: target.id },
      agentRemoved: agentDeleted,
    } satisfies VersionDeletionResponse);
  });

  router.get('/versions/:id', (req, res) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const version = storage.getAgentVersion(id);
    if (!version) throw new ApiError('NOT_FOUND', `no version ${id}`);
    const details = storage.getAgentDetails(version.agentId);
    const stats = details?.versions.find((v) => v.id === id)?.stats ?? null;
    const recorded = stats?.summary.n ?? 0;
    res.json({
      version: versionSummary(version),
      agent: details?.agent ?? null,
      stats: statsView(stats),
      evaluation: {
        episodes: ctx.config.conditions.episodes,
        recorded,
        ended: recorded >= ctx.config.conditions.episodes,
      },
    } satisfies VersionDetailsResponse);
  });

  // Versions never change once made, so a parsed log is kept (a few, newest used first). The key
  // holds the creation time too: SQLite may give a deleted version's id to a new one.
  const logs = new Map<string, Promise<TrainingLogView | null>>();
  router.get('/versions/:id/training-log', async (req, res) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const version = storage.getAgentVersion(id);
    if (!version) throw new ApiError('NOT_FOUND', `no version ${id}`);
    const key = `${id}:${version.createdAt}`;
    let log = logs.get(key);
    if (!log) {
      log = readTrainingLog(join(versionDir(ctx.config.dataDir, id), 'training-log.jsonl'));
      logs.set(key, log);
      log.catch(() => logs.delete(key));
      if (logs.size > 16) logs.delete(logs.keys().next().value as string);
    } else {
      logs.delete(key);
      logs.set(key, log);
    }
    const view = await log;
    // No log is an ordinary answer, not an error: browsers log every 404 as a console error.
    if (!view) {
      res.status(204).end();
      return;
    }
    res.json({ versionId: id, ...view } satisfies TrainingLogResponse);
  });

  router.get('/versions/:id/episodes', (req, res) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const page = parseOr400(pageQuery, req.query, 'query');
    if (!storage.getAgentVersion(id)) throw new ApiError('NOT_FOUND', `no version ${id}`);
    const published = evaluationEnded(ctx.storage, ctx.config.conditions.episodes, id);
    res.json({
      published,
      episodes: storage
        .listEpisodes({ versionId: id, ...page })
        .map((e) => episodeView(e, published)),
    } satisfies EpisodesResponse);
  });

  router.get('/versions/:id/episodes/:episodeId/replay', (req, res) => {
    const { id, episodeId } = parseOr400(episodeParams, req.params, 'path');
    if (!storage.getAgentVersion(id)) throw new ApiError('NOT_FOUND', `no version ${id}`);
    const episode = storage.listEpisodes({ versionId: id, beforeId: episodeId + 1, limit: 1 })[0];
    if (!episode || episode.id !== episodeId)
      throw new ApiError('NOT_FOUND', `version ${id} has no episode ${episodeId}`);
    if (!evaluationEnded(ctx.storage, ctx.config.conditions.episodes, id)) {
      throw new ApiError(
        'EVALUATION_RUNNING',
        `replays of version ${id} are published when its evaluation ends`,
      );
    }
    const replay = episode.replayId === null ? null : storage.getReplay(episode.replayId);
    if (!replay) throw new ApiError('NOT_FOUND', `episode ${episodeId} has no replay`);
    res.json({
      replay: {
        id: replay.id,
        episodeId,
        score: episode.score,
        romSha1: replay.romSha1,
        seed: replay.seed,
        settings: replay.settings,
        frames: replay.frames,
        /** One controller byte per emulator frame (bit per button, jsnes order). */
        actions: Array.from(replay.actions),
      },
    } satisfies EpisodeReplayResponse);
  });

  return router;
}

/** A version without its server-side file paths. */
function versionSummary(v: {
  id: number;
  agentId: number;
  version: number;
  metadata: VersionSummary['metadata'];
  checksum: string | null;
  createdAt: number;
}): VersionSummary {
  return {
    id: v.id,
    agentId: v.agentId,
    version: v.version,
    metadata: v.metadata,
    checksum: v.checksum,
    createdAt: v.createdAt,
  };
}
