/**
 * Head-to-head routes: ratings (Bradley–Terry with bootstrap intervals and Rank (UB)), matches
 * (paged, by game, version or agent), one match with both players and its replay, and a live room
 * that plays a recorded match back. `/duel/ratings` is the older name of `/ratings`, kept for
 * existing clients.
 */
import { type Request, type Response, Router } from 'express';
import { loadManifest } from '../../../emulators/manifest/index.ts';
import { computerLevelOf } from '../../matches/computer.ts';
import type { MatchReplaySettings } from '../../matches/record.ts';
import type {
  MatchesResponse,
  MatchPlayer,
  MatchReplayResponse,
  MatchResponse,
  Match as MatchView,
  RatingsResponse,
  WatchResponse,
} from '../../protocol/api.ts';
import { rankUB } from '../../stats/rankUB.ts';
import type { Storage } from '../../storage/base.ts';
import type { Match } from '../../storage/types.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, parseOr400 } from '../errors.ts';
import { idParams, matchesQuery, ratingsQuery, watchMatchBody } from '../schemas.ts';

export interface MatchRouteOptions {
  ctx: ApiContext;
}

/** Who played a side: the version, its agent and owner. */
export function playerView(storage: Storage, versionId: number): MatchPlayer {
  const version = storage.getAgentVersion(versionId);
  const agent = version ? storage.getAgent(version.agentId) : null;
  const owner = agent ? storage.getOwner(agent.ownerId) : null;
  return {
    versionId,
    version: version?.version ?? null,
    agentId: agent?.id ?? null,
    agentName: agent?.name ?? null,
    owner: owner?.name ?? null,
    kind: agent?.kind ?? null,
    /** The game's computer at this level, for the reference players. */
    computerLevel: version ? computerLevelOf(version) : null,
  };
}

export function matchView(storage: Storage, m: Match): MatchView {
  const a = playerView(storage, m.playerA);
  const b = playerView(storage, m.playerB);
  return {
    id: m.id,
    gameId: m.gameId,
    playerA: m.playerA,
    playerB: m.playerB,
    nameA: a.agentName,
    nameB: b.agentName,
    /** Controller 1 (left) and controller 2 (right). */
    players: [a, b],
    scoreA: m.scoreA,
    scoreB: m.scoreB,
    outcome: m.outcome,
    seed: m.seed,
    replayId: m.replayId,
    replayUrl: m.replayId === null ? null : `/api/matches/${m.id}/replay`,
    createdAt: m.createdAt,
  };
}

/** The first two-player game in the store, the default for `/ratings`. */
function defaultTwoPlayerGame(storage: Storage): string | null {
  const stored = new Set(storage.listGames().map((g) => g.id));
  return loadManifest().find((e) => e.players === 2 && stored.has(e.id))?.id ?? null;
}

export function matchRoutes({ ctx }: MatchRouteOptions): Router {
  const router = Router();
  const { storage } = ctx;

  const ratings = (req: Request, res: Response) => {
    const query = parseOr400(ratingsQuery, req.query, 'query');
    const gameId = query.game ?? defaultTwoPlayerGame(storage);
    if (!gameId || !storage.getGame(gameId)) {
      throw new ApiError('NOT_FOUND', query.game ? `no game ${query.game}` : 'no two-player game');
    }
    const entry = loadManifest().find((e) => e.id === gameId);
    if (entry?.players !== 2)
      throw new ApiError('BAD_GAME', `${gameId} is a one-player game: it has no matches`);
    const rows = storage.listRatings(gameId);
    const ranks = rankUB(rows.map((r) => ({ lower: r.lower, upper: r.upper })));
    const table = storage.ratingTable(gameId);
    res.json({
      game: gameId,
      method:
        'Bradley-Terry maximum likelihood on the Elo scale, 95% percentile bootstrap intervals',
      final: table?.final ?? false,
      resamples: table?.resamples ?? 0,
      matches: table?.matches ?? 0,
      anchor: table?.anchorVersionId
        ? { ...playerView(storage, table.anchorVersionId), rating: table.anchorRating }
        : null,
      computedAt: table?.computedAt ?? null,
      ratings: rows.map((r, i) => {
        const player = playerView(storage, r.versionId);
        return {
          rank: ranks[i],
          ...player,
          rating: r.rating,
          lower: r.lower,
          upper: r.upper,
          ci95: [r.lower, r.upper],
          matches: r.matches,
          wins: r.wins,
          losses: r.losses,
          draws: r.draws,
        };
      }),
    } satisfies RatingsResponse);
  };
  router.get('/ratings', ratings);
  router.get('/duel/ratings', ratings);

  router.get('/matches', (req, res) => {
    const { game, version, agent, limit, beforeId } = parseOr400(matchesQuery, req.query, 'query');
    const size = limit ?? 50;
    let matches: Match[];
    if (agent !== undefined) {
      const details = storage.getAgentDetails(agent);
      if (!details) throw new ApiError('NOT_FOUND', `no agent ${agent}`);
      const versions = details.versions
        .map((v) => v.id)
        .filter((id) => version === undefined || id === version);
      // Each version's newest page, merged: the newest `size` of the agent's matches.
      const seen = new Map<number, Match>();
      for (const versionId of versions) {
        for (const m of storage.listMatches({ gameId: game, versionId, beforeId, limit: size })) {
          seen.set(m.id, m);
        }
      }
      matches = [...seen.values()].sort((x, y) => y.id - x.id).slice(0, size);
    } else {
      matches = storage.listMatches({ gameId: game, versionId: version, beforeId, limit: size });
    }
    res.json({
      matches: matches.map((m) => matchView(storage, m)),
      nextBeforeId: matches.length === size ? matches[matches.length - 1].id : null,
    } satisfies MatchesResponse);
  });

  router.get('/matches/:id', (req, res) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const match = storage.getMatch(id);
    if (!match) throw new ApiError('NOT_FOUND', `no match ${id}`);
    const replay = match.replayId === null ? null : storage.getReplay(match.replayId);
    const settings = replay?.settings as unknown as MatchReplaySettings | undefined;
    res.json({
      match: {
        ...matchView(storage, match),
        frames: replay?.frames ?? null,
        truncated: settings?.truncated ?? null,
        forfeit: settings?.forfeit ?? null,
        leg: settings?.leg ?? null,
        gameSettings: settings?.gameSettings ?? null,
      },
    } satisfies MatchResponse);
  });

  router.get('/matches/:id/replay', (req, res) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const match = storage.getMatch(id);
    if (!match) throw new ApiError('NOT_FOUND', `no match ${id}`);
    const replay = match.replayId === null ? null : storage.getReplay(match.replayId);
    if (!replay) throw new ApiError('NOT_FOUND', `match ${id} has no replay`);
    const controller1: number[] = [];
    const controller2: number[] = [];
    for (let i = 0; i + 1 < replay.actions.length; i += 2) {
      controller1.push(replay.actions[i]);
      controller2.push(replay.actions[i + 1]);
    }
    res.json({
      replay: {
        id: replay.id,
        romSha1: replay.romSha1,
        seed: replay.seed,
        settings: replay.settings,
        frames: replay.frames,
        controller1,
        controller2,
      },
    } satisfies MatchReplayResponse);
  });

  router.post('/matches/:id/watch', (req, res) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const { speed } = parseOr400(watchMatchBody, req.body ?? {}, 'body');
    if (!storage.getMatch(id)) throw new ApiError('NOT_FOUND', `no match ${id}`);
    if (!ctx.matchReplays) {
      throw new ApiError('NOT_FOUND', 'this server does not play replays back live');
    }
    const { roomId } = ctx.matchReplays.watch(id, speed);
    res.status(201).json({ roomId } satisfies WatchResponse);
  });

  return router;
}
