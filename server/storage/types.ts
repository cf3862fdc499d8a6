/**
 * Types at the storage boundary. Ids are SQLite integer row ids except game ids (short slugs such
 * as 'brick'). Timestamps are milliseconds since the Unix epoch.
 */

import type { Baselines, Summary } from '../../agents/evaluation/statistics.ts';
import type { MatchOutcome } from '../stats/bradleyTerry.ts';

export type { MatchOutcome } from '../stats/bradleyTerry.ts';

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const AGENT_KINDS = ['builtin', 'uploaded', 'remote'] as const;
/** builtin: ships with the arena; uploaded: model files run by our workers; remote: plays over the network. */
export type AgentKind = (typeof AGENT_KINDS)[number];

export const EPISODE_OUTCOMES = [
  'OK',
  'TIMEOUT',
  'DISCONNECT',
  'INVALID_ACTION',
  'PROTOCOL_ERROR',
] as const;
/** How an episode ended; anything but OK comes with a reason text. */
export type EpisodeOutcome = (typeof EPISODE_OUTCOMES)[number];

/** The owner of the seeded agents and the computer reference players. */
export const SYSTEM_OWNER = 'arena';

export interface Owner {
  id: number;
  name: string;
  createdAt: number;
}

/** A freshly issued API token. `token` is shown once: only a hash of its secret is stored. */
export interface IssuedToken {
  tokenId: number;
  token: string;
}

export interface Game {
  /** Slug, e.g. 'brick'. */
  id: string;
  title: string;
  /** SHA-1 of the ROM file, 40 lowercase hex digits. */
  romSha1: string;
  /** Random and scripted baseline means that define the normalised score; null until measured. */
  baselines: Baselines | null;
}

export interface Agent {
  id: number;
  ownerId: number;
  gameId: string;
  /** Unique within its game. */
  name: string;
  kind: AgentKind;
  createdAt: number;
}

export interface NewAgent {
  ownerId: number;
  gameId: string;
  name: string;
  kind: AgentKind;
}

export interface AgentVersion {
  id: number;
  agentId: number;
  /** 1, 2, 3, … per agent, assigned on insert. */
  version: number;
  /** Model files (relative to the server's data folder), e.g. ['agents/7/3/model.json']. */
  modelPaths: string[];
  metadata: JsonObject;
  /** Checksum of the model files (e.g. 'sha256:…'); null for builtin and remote agents. */
  checksum: string | null;
  createdAt: number;
}

export interface NewAgentVersion {
  agentId: number;
  modelPaths?: string[];
  metadata?: JsonObject;
  checksum?: string | null;
}

/** What reproduces an episode frame for frame. */
export interface NewReplay {
  romSha1: string;
  seed: number;
  /** Env settings (frame skip, sticky-action probability, emulator version, …). */
  settings: JsonObject;
  /**
   * One NES controller byte per emulator frame (bit per button); with `settings.controllers` = 2
   * (matches) two bytes per frame, controller 1's then controller 2's.
   */
  actions: Uint8Array;
}

export interface Replay extends NewReplay {
  id: number;
  /** Number of frames, i.e. `actions.length` (half of it for a two-controller replay). */
  frames: number;
  createdAt: number;
}

export interface NewEpisode {
  versionId: number;
  score: number;
  /** Episode length in emulator frames. */
  frames: number;
  seed: number;
  outcome: EpisodeOutcome;
  /** Why the episode ended abnormally; expected when outcome is not OK. */
  reason?: string | null;
  /**
   * The evaluation job that played it. Recording is then idempotent per (jobId, versionId, seed):
   * a retried job that records the same episode again gets the stored one back and the
   * aggregates do not count it twice (the first recorded score stands).
   */
  jobId?: number | null;
  matchId?: number | null;
  /** Stored in the same transaction as the episode. */
  replay?: NewReplay;
}

export interface Episode {
  id: number;
  versionId: number;
  gameId: string;
  score: number;
  frames: number;
  seed: number;
  outcome: EpisodeOutcome;
  reason: string | null;
  jobId: number | null;
  matchId: number | null;
  replayId: number | null;
  createdAt: number;
}

export interface NewMatch {
  /** Agent versions; both must belong to agents of the same game. */
  playerA: number;
  playerB: number;
  scoreA: number;
  scoreB: number;
  outcome: MatchOutcome;
  /** Seed the match was played from. */
  seed: number;
  /** With a job, recording is idempotent per (jobId, playerA, playerB, seed): see NewEpisode.jobId. */
  jobId?: number | null;
  replay?: NewReplay;
  /** Each player's episodes, stored with `matchId` set in the same transaction. */
  episodes?: Omit<NewEpisode, 'matchId'>[];
}

export interface Match {
  id: number;
  gameId: string;
  playerA: number;
  playerB: number;
  scoreA: number;
  scoreB: number;
  outcome: MatchOutcome;
  seed: number;
  jobId: number | null;
  replayId: number | null;
  createdAt: number;
}

export interface NewRating {
  versionId: number;
  /** Bradley–Terry rating on the Elo scale, with its bootstrap 95% interval. */
  rating: number;
  lower: number;
  upper: number;
  matches: number;
  /** The version's record over those matches (default 0). */
  wins?: number;
  losses?: number;
  draws?: number;
}

export interface Rating extends Required<NewRating> {
  gameId: string;
  computedAt: number;
}

/** How a game's stored rating table was computed. */
export interface RatingTableInfo {
  /** The version whose rating is fixed (the scripted agent), null once it is deleted. */
  anchorVersionId: number | null;
  anchorRating: number;
  /** Bootstrap resamples behind the intervals. */
  resamples: number;
  /** Matches the fit covered. */
  matches: number;
  /** Computed with the final table's resamples (1,000) over every match recorded then. */
  final: boolean;
  computedAt: number;
}

export type NewRatingTableInfo = Omit<RatingTableInfo, 'computedAt'>;

/** Per-version statistics as kept by the aggregate table. */
export interface VersionStats {
  summary: Summary;
  /** Episodes whose outcome was not OK (they still count in the summary with their score). */
  failures: number;
}

export interface LeaderboardRow extends VersionStats {
  /** Rank (UB) on the 95% interval of the mean; tied entries share a rank. */
  rank: number;
  versionId: number;
  version: number;
  agentId: number;
  agentName: string;
  ownerName: string;
  kind: AgentKind;
  /** Mean on the game's random→scripted scale; null without baselines. */
  normalisedMean: number | null;
}

export interface CrossGameCell {
  versionId: number;
  episodes: number;
  mean: number;
  normalisedMean: number | null;
}

/** One entrant (owner + agent name) across games, using its latest version with episodes. */
export interface CrossGameRow {
  ownerName: string;
  agentName: string;
  /** Keyed by game id. */
  games: Record<string, CrossGameCell>;
  /** Over the games with baselines; null when none has. */
  meanNormalised: number | null;
  medianNormalised: number | null;
}

/** What `deleteAgentVersion` did. */
export interface VersionDeletion {
  /** False when there was no such version (nothing changed). */
  deleted: boolean;
  /** True when it was the agent's last version, so the agent went too (its name is free again). */
  agentDeleted: boolean;
}

export interface AgentDetails {
  agent: Agent;
  owner: Owner;
  versions: Array<AgentVersion & { stats: VersionStats | null }>;
}

/** Keyset pagination, newest first: pass the last id you saw as `beforeId` for the next page. */
export interface PageOptions {
  /** Default 100, at most 1000. */
  limit?: number;
  beforeId?: number;
}
