/** Storage rows as the API shows them: stable field names, intervals as [low, high]. */

import type { ManifestEntry } from '../../emulators/manifest/schema.ts';
import type {
  CrossGameRow,
  Episode,
  Game,
  LeaderboardRow,
  VersionStats,
} from '../storage/types.ts';

export function statsView(stats: VersionStats | null) {
  if (!stats) return null;
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

export function leaderboardView(row: LeaderboardRow) {
  return {
    rank: row.rank,
    agentId: row.agentId,
    agentName: row.agentName,
    versionId: row.versionId,
    version: row.version,
    owner: row.ownerName,
    kind: row.kind,
    ...statsView(row),
    normalisedScore: row.normalisedMean,
  };
}

export function crossGameView(row: CrossGameRow) {
  return {
    owner: row.ownerName,
    agentName: row.agentName,
    games: row.games,
    meanNormalisedScore: row.meanNormalised,
    medianNormalisedScore: row.medianNormalised,
  };
}

export function gameView(game: Game, entry: ManifestEntry | undefined) {
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
export function episodeView(e: Episode, published: boolean) {
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
