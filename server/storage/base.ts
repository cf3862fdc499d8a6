/**
 * The storage contract the server depends on; `sqlite.ts` implements it. Nothing else in the
 * server imports better-sqlite3.
 *
 * The interface is synchronous on purpose: SQLite through better-sqlite3 is synchronous, every
 * call here is short (indexed lookups, aggregate reads), and sync calls make each method one
 * transaction with nothing interleaved. The job queue, which may move to Redis, is async instead
 * (`server/queue/jobQueue.ts`).
 *
 * Errors: bad input throws `UserError` with code 'BAD_REQUEST', a missing referenced row
 * 'NOT_FOUND', a uniqueness clash 'CONFLICT'. Every write is atomic: it is fully applied or,
 * on any error, not at all.
 */
import type { MatchResult } from '../stats/bradleyTerry.ts';
import type {
  Agent,
  AgentDetails,
  AgentVersion,
  CrossGameRow,
  Episode,
  Game,
  IssuedToken,
  LeaderboardRow,
  Match,
  NewAgent,
  NewAgentVersion,
  NewEpisode,
  NewMatch,
  NewRating,
  NewRatingTableInfo,
  Owner,
  PageOptions,
  Rating,
  RatingTableInfo,
  Replay,
  VersionDeletion,
} from './types.ts';

export interface LeaderboardOptions {
  /** Leave out versions with fewer episodes. Default 1. */
  minEpisodes?: number;
}

export interface ListMatchesOptions extends PageOptions {
  gameId?: string;
  /** Matches where this version was either player. */
  versionId?: number;
}

export interface Storage {
  // Owners and API tokens.
  createOwner(opts: { name: string }): Owner;
  getOwner(id: number): Owner | null;
  /** Issues a new token for an owner; the raw token is returned once and never stored. */
  issueToken(opts: { ownerId: number; label?: string }): IssuedToken;
  /** The owner of a valid, unrevoked token, or null. Compares hashes in constant time. */
  authenticate(token: string): Owner | null;
  /** Returns false when there was no such live token. */
  revokeToken(tokenId: number): boolean;

  // Games.
  /** Inserts or replaces a game's title, ROM hash and baselines. */
  upsertGame(game: Game): Game;
  getGame(id: string): Game | null;
  listGames(): Game[];

  // Agents and their versions.
  createAgent(agent: NewAgent): Agent;
  getAgent(id: number): Agent | null;
  findAgent(opts: { gameId: string; name: string }): Agent | null;
  /** Agents, optionally of one game and/or owner, ordered by game then name. */
  listAgents(opts?: { gameId?: string; ownerId?: number }): Agent[];
  /** Adds the next version (1, 2, …) of an agent. */
  addAgentVersion(version: NewAgentVersion): AgentVersion;
  getAgentVersion(id: number): AgentVersion | null;
  getAgentDetails(agentId: number): AgentDetails | null;
  /**
   * Deletes a version with its episodes, their replays, its aggregates and rating in one
   * transaction, and its agent when no version is left. Throws CONFLICT when the version played
   * matches (its opponents' results rest on them). The model files are the caller's to remove.
   */
  deleteAgentVersion(versionId: number): VersionDeletion;
  /** Deletes an agent that has no version (undoing a failed first upload); false otherwise. */
  deleteAgentIfEmpty(agentId: number): boolean;

  // Episodes, replays, matches.
  /** Records episodes (and their replays), updating the per-version aggregates, in one transaction. */
  recordEpisodes(episodes: readonly NewEpisode[]): Episode[];
  listEpisodes(opts: { versionId: number } & PageOptions): Episode[];
  getReplay(id: number): Replay | null;
  /** Records a match with its replay and episodes in one transaction. */
  recordMatch(match: NewMatch): Match;
  getMatch(id: number): Match | null;
  listMatches(opts?: ListMatchesOptions): Match[];
  /** All matches of a game, oldest first, in the form `fitBradleyTerry` takes (version ids). */
  matchResults(gameId: string): MatchResult[];

  // Ratings.
  /** Replaces a game's whole rating table (and, when given, its description) atomically. */
  replaceRatings(
    gameId: string,
    ratings: readonly NewRating[],
    table?: NewRatingTableInfo,
  ): Rating[];
  listRatings(gameId: string): Rating[];
  /** How the stored table was computed; null before the first table with a description. */
  ratingTable(gameId: string): RatingTableInfo | null;

  // Leaderboards.
  /** Per-version score statistics for one game, best rank first. Reads aggregates only. */
  leaderboard(gameId: string, opts?: LeaderboardOptions): LeaderboardRow[];
  /** Entrants (owner + agent name) across games, best median normalised score first. */
  crossGameTable(opts?: LeaderboardOptions): CrossGameRow[];
  /** Recomputes every per-version aggregate from the raw episodes (maintenance; slow). */
  rebuildAggregates(): void;

  close(): void;
}
