/** Read-only routes (health, games, leaderboards, jobs) and owner registration. */

import type { RequestHandler } from 'express';
import { Router } from 'express';
import { loadManifest } from '../../../emulators/manifest/index.ts';
import type {
  CrossGameResponse,
  GameResponse,
  GamesResponse,
  HealthResponse,
  JobResponse,
  JobsResponse,
  LeaderboardResponse,
  RegistrationResponse,
} from '../../protocol/api.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, parseOr400 } from '../errors.ts';
import { gameParams, idParams, jobsQuery, leaderboardQuery, ownerBody } from '../schemas.ts';
import { crossGameView, gameView, jobView, leaderboardView } from '../views.ts';

export interface PublicRouteOptions {
  ctx: ApiContext;
  /** Applied to `POST /owners` only. */
  registrationLimiter: RequestHandler;
}

export function publicRoutes({ ctx, registrationLimiter }: PublicRouteOptions): Router {
  const router = Router();
  const { storage, queue } = ctx;

  router.get('/health', async (_req, res) => {
    res.json({
      status: 'ok',
      workers: ctx.workers,
      jobs: await queue.counts(),
      conditions: ctx.config.conditions,
    } satisfies HealthResponse);
  });

  router.get('/games', (_req, res) => {
    const entries = new Map(loadManifest().map((e) => [e.id, e]));
    res.json({
      games: storage.listGames().map((g) => gameView(g, entries.get(g.id))),
    } satisfies GamesResponse);
  });

  router.get('/games/:gameId', (req, res) => {
    const { gameId } = parseOr400(gameParams, req.params, 'path');
    const game = storage.getGame(gameId);
    if (!game) throw new ApiError('NOT_FOUND', `no game ${gameId}`);
    res.json({
      game: gameView(
        game,
        loadManifest().find((e) => e.id === gameId),
      ),
    } satisfies GameResponse);
  });

  router.get('/leaderboards', (req, res) => {
    const { minEpisodes } = parseOr400(leaderboardQuery, req.query, 'query');
    res.json({
      games: storage.listGames().map((g) => g.id),
      rows: storage.crossGameTable({ minEpisodes }).map(crossGameView),
    } satisfies CrossGameResponse);
  });

  router.get('/leaderboards/:gameId', (req, res) => {
    const { gameId } = parseOr400(gameParams, req.params, 'path');
    const { minEpisodes } = parseOr400(leaderboardQuery, req.query, 'query');
    const game = storage.getGame(gameId);
    if (!game) throw new ApiError('NOT_FOUND', `no game ${gameId}`);
    res.json({
      game: gameId,
      baselines: game.baselines,
      rows: storage.leaderboard(gameId, { minEpisodes }).map(leaderboardView),
    } satisfies LeaderboardResponse);
  });

  router.get('/jobs', async (req, res) => {
    const { state, limit } = parseOr400(jobsQuery, req.query, 'query');
    res.json({
      counts: await queue.counts(),
      jobs: (await queue.list({ state, limit })).map(jobView),
    } satisfies JobsResponse);
  });

  router.get('/jobs/:id', async (req, res) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const job = await queue.get(String(id));
    if (!job) throw new ApiError('NOT_FOUND', `no job ${id}`);
    res.json({ job: jobView(job) } satisfies JobResponse);
  });

  router.post('/owners', registrationLimiter, (req, res) => {
    const { name } = parseOr400(ownerBody, req.body, 'body');
    const owner = storage.createOwner({ name });
    const { token } = storage.issueToken({ ownerId: owner.id, label: 'registration' });
    ctx.log(`registered owner ${owner.name} from ${req.ip}`);
    res.status(201).json({
      owner,
      token,
      note: 'keep this token: it is shown only once',
    } satisfies RegistrationResponse);
  });

  return router;
}
