/**
 * Storage rows as the API shows them: stable field names, intervals as [low, high]. Each view
 * returns the type of its schema in `protocol/api.ts`.
 */

import type { ManifestEntry } from '../../emulators/manifest/schema.ts';
import type {
  CrossGameEntry,
  Episode as EpisodeView,
  Game as GameView,
  Job as JobView,
  LeaderboardEntry,
  Stats,
} from '../protocol/api.ts';
import type { Job } from '../queue/jobQueue.ts';
import type {
  CrossGameRow,
  Episode,
  Game,
  LeaderboardRow,
  VersionStats,
} from '../storage/types.ts';

export function statsView(stats: VersionStats | null): Stats | null {
  return stats ? statsOf(stats) : null;
}

function statsOf(stats: VersionStats): Stats {
  const s = stats.summary;
  return {
    episodes: s.n,
    mean: s.mean,
    ci95: s.ci95 === null ? null : [s.mean - s.ci95, s.mean + s.ci95],
    median: s.median,
    std: s.std,
    min: s.min,
    max: s.max,
    failures: stats.failures,
  };
}

export function leaderboardView(row: LeaderboardRow): LeaderboardEntry {
  return {
    rank: row.rank,
    agentId: row.agentId,
    agentName: row.agentName,
    versionId: row.versionId,
    version: row.version,
    owner: row.ownerName,
    kind: row.kind,
    ...statsOf(row),
    normalisedScore: row.normalisedMean,
  };
}

export function crossGameView(row: CrossGameRow): CrossGameEntry {
  return {
    owner: row.ownerName,
    agentName: row.agentName,
    games: row.games,
    meanNormalisedScore: row.meanNormalised,
    medianNormalisedScore: row.medianNormalised,
  };
}

export function gameView(game: Game, entry: ManifestEntry | undefined): GameView {
  return {
    id: game.id,
    title: game.title,
    romSha1: game.romSha1,
    baselines: game.baselines,
    actions: entry?.actions ?? null,
    players: entry?.players ?? 1,
    licence: entry?.licence ?? null,
  };
}

/** An episode; its seed and replay stay hidden (null) until the evaluation has ended. */
export function episodeView(e: Episode, published: boolean): EpisodeView {
  return {
    id: e.id,
    versionId: e.versionId,
    gameId: e.gameId,
    score: e.score,
    frames: e.frames,
    outcome: e.outcome,
    reason: e.reason,
    jobId: e.jobId,
    seed: published ? e.seed : null,
    replayId: published ? e.replayId : null,
    createdAt: e.createdAt,
  };
}

/** A job without its lease token or payload (internal). */
export function jobView(job: Job): JobView {
  const payload = job.payload as { versionId?: unknown } | null;
  return {
    id: job.id,
    state: job.state,
    versionId: typeof payload?.versionId === 'number' ? payload.versionId : null,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    lastError: job.lastError,
    result: job.result,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
