/**
 * Leaderboards read only `version_stats` (one row per agent version, kept current by the episode
 * writes), so their cost grows with the number of versions, not episodes.
 */

import { normalisedScore, summariseMoments } from '../../agents/evaluation/statistics.ts';
import { rankUB } from '../stats/rankUB.ts';
import { checkInt, type SqliteContext } from './rows.ts';
import { getAgent, getOwner, listAgentVersions } from './sqliteAccounts.ts';
import type {
  AgentDetails,
  AgentKind,
  CrossGameRow,
  LeaderboardRow,
  VersionStats,
} from './types.ts';

interface StatsRow {
  n: number;
  mean_score: number;
  m2: number;
  min_score: number;
  max_score: number;
  median_score: number;
  failures: number;
}

function statsFromRow(r: StatsRow): VersionStats {
  return {
    summary: summariseMoments({
      n: r.n,
      mean: r.mean_score,
      m2: r.m2,
      min: r.min_score,
      max: r.max_score,
      median: r.median_score,
    }),
    failures: r.failures,
  };
}

interface BoardRow extends StatsRow {
  version_id: number;
  version: number;
  agent_id: number;
  agent_name: string;
  owner_name: string;
  kind: AgentKind;
  game_id: string;
  baseline_random: number | null;
  baseline_scripted: number | null;
}

const BOARD_SELECT = `
  SELECT s.*, v.id AS version_id, v.version, a.id AS agent_id, a.name AS agent_name,
         o.name AS owner_name, a.kind, g.id AS game_id, g.baseline_random, g.baseline_scripted
  FROM version_stats s
  JOIN agent_versions v ON v.id = s.version_id
  JOIN agents a ON a.id = v.agent_id
  JOIN owners o ON o.id = a.owner_id
  JOIN games g ON g.id = s.game_id`;

function normalisedMean(r: BoardRow): number | null {
  if (r.baseline_random === null || r.baseline_scripted === null) return null;
  return normalisedScore(r.mean_score, {
    random: r.baseline_random,
    scripted: r.baseline_scripted,
  });
}

export function leaderboard(
  ctx: SqliteContext,
  gameId: string,
  opts: { minEpisodes?: number } = {},
): LeaderboardRow[] {
  const minEpisodes = checkInt('minEpisodes', opts.minEpisodes ?? 1, 1);
  const rows = ctx
    .stmt(`${BOARD_SELECT} WHERE s.game_id = ? AND s.n >= ?`)
    .all(gameId, minEpisodes) as BoardRow[];
  const entries = rows.map((r) => {
    const stats = statsFromRow(r);
    const half = stats.summary.ci95 ?? Number.POSITIVE_INFINITY;
    return { r, stats, lower: r.mean_score - half, upper: r.mean_score + half };
  });
  const ranks = rankUB(entries);
  return entries
    .map(
      ({ r, stats }, i): LeaderboardRow => ({
        rank: ranks[i],
        versionId: r.version_id,
        version: r.version,
        agentId: r.agent_id,
        agentName: r.agent_name,
        ownerName: r.owner_name,
        kind: r.kind,
        ...stats,
        normalisedMean: normalisedMean(r),
      }),
    )
    .sort(
      (x, y) => x.rank - y.rank || y.summary.mean - x.summary.mean || x.versionId - y.versionId,
    );
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Entrants are (owner, agent name) because agents are registered per game; each game's cell is
 * the entrant's latest version with enough episodes (the latest rather than the best, which
 * would favour whoever uploads the most versions).
 */
export function crossGameTable(
  ctx: SqliteContext,
  opts: { minEpisodes?: number } = {},
): CrossGameRow[] {
  const minEpisodes = checkInt('minEpisodes', opts.minEpisodes ?? 1, 1);
  const rows = ctx
    .stmt(`${BOARD_SELECT} WHERE s.n >= ? ORDER BY o.name, a.name, g.id, v.version DESC`)
    .all(minEpisodes) as BoardRow[];
  const entrants = new Map<string, CrossGameRow>();
  for (const r of rows) {
    const key = JSON.stringify([r.owner_name, r.agent_name]);
    let entrant = entrants.get(key);
    if (!entrant) {
      entrant = {
        ownerName: r.owner_name,
        agentName: r.agent_name,
        games: {},
        meanNormalised: null,
        medianNormalised: null,
      };
      entrants.set(key, entrant);
    }
    // Rows come newest version first within a game: keep the first one seen.
    if (entrant.games[r.game_id]) continue;
    entrant.games[r.game_id] = {
      versionId: r.version_id,
      episodes: r.n,
      mean: r.mean_score,
      normalisedMean: normalisedMean(r),
    };
  }
  const table = [...entrants.values()];
  for (const e of table) {
    const normalised = Object.values(e.games)
      .map((c) => c.normalisedMean)
      .filter((x): x is number => x !== null);
    e.medianNormalised = median(normalised);
    e.meanNormalised =
      normalised.length === 0 ? null : normalised.reduce((s, x) => s + x, 0) / normalised.length;
  }
  const orNegInf = (x: number | null) => x ?? Number.NEGATIVE_INFINITY;
  return table.sort(
    (x, y) =>
      orNegInf(y.medianNormalised) - orNegInf(x.medianNormalised) ||
      orNegInf(y.meanNormalised) - orNegInf(x.meanNormalised) ||
      x.ownerName.localeCompare(y.ownerName) ||
      x.agentName.localeCompare(y.agentName),
  );
}

export function versionStats(ctx: SqliteContext, versionId: number): VersionStats | null {
  const row = ctx.stmt('SELECT * FROM version_stats WHERE version_id = ?').get(versionId) as
    | StatsRow
    | undefined;
  return row ? statsFromRow(row) : null;
}

export function getAgentDetails(ctx: SqliteContext, agentId: number): AgentDetails | null {
  const agent = getAgent(ctx, agentId);
  if (!agent) return null;
  const owner = getOwner(ctx, agent.ownerId)!;
  const versions = listAgentVersions(ctx, agentId).map((v) => ({
    ...v,
    stats: versionStats(ctx, v.id),
  }));
  return { agent, owner, versions };
}
