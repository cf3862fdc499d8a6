/**
 * `GET /api/remote/episodes`: the authenticated owner's remote agents' episodes, newest first,
 * with each one's outcome code and reason (why it was forfeit: late replies, disconnect, a bad
 * action or message). The agent itself is told the same in `episode_end`.
 */
import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { RemoteEpisodesResponse } from '../../protocol/api.ts';
import { ownerOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { parseOr400 } from '../errors.ts';

const remoteEpisodesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    /** Only this agent's episodes. */
    agent: z.coerce.number().int().min(1).optional(),
  })
  .strict();

export function remoteRoutes({ ctx, auth }: { ctx: ApiContext; auth: RequestHandler }): Router {
  const router = Router();
  router.get('/remote/episodes', auth, (req, res) => {
    const { limit = 100, agent } = parseOr400(remoteEpisodesQuery, req.query, 'query');
    const owner = ownerOf(res);
    const agents = ctx.storage
      .listAgents({ ownerId: owner.id })
      .filter((a) => a.kind === 'remote' && (agent === undefined || a.id === agent));
    const episodes: RemoteEpisodesResponse['episodes'] = [];
    for (const a of agents) {
      for (const v of ctx.storage.getAgentDetails(a.id)?.versions ?? []) {
        for (const e of ctx.storage.listEpisodes({ versionId: v.id, limit })) {
          episodes.push({
            id: e.id,
            agentId: a.id,
            agentName: a.name,
            gameId: e.gameId,
            versionId: v.id,
            version: v.version,
            score: e.score,
            frames: e.frames,
            outcome: e.outcome,
            reason: e.reason,
            createdAt: e.createdAt,
          });
        }
      }
    }
    episodes.sort((x, y) => y.id - x.id);
    res.json({ episodes: episodes.slice(0, limit) } satisfies RemoteEpisodesResponse);
  });
  return router;
}
