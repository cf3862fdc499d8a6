/**
 * `Storage` over one SQLite file through better-sqlite3: the only module that opens the database.
 *
 * Durability: WAL journal with `synchronous = FULL` by default. In WAL mode a committed
 * transaction is already in the OS page cache when `commit` returns, which is enough to survive
 * `kill -9` of this process even with NORMAL; FULL additionally fsyncs the WAL on every commit,
 * so a finished episode also survives a kernel panic or power loss. That costs one fsync per
 * commit, which is noise at our write rate (an episode takes seconds to minutes to play), and
 * bulk writes amortise it by batching rows into one `recordEpisodes` call.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../emulators/errors.ts';
import type { LeaderboardOptions, ListMatchesOptions, Storage } from './base.ts';
import { type MigrateResult, migrate } from './migrate.ts';
import type { SqliteContext } from './rows.ts';
import * as accounts from './sqliteAccounts.ts';
import * as deletion from './sqliteDeletion.ts';
import * as episodes from './sqliteEpisodes.ts';
import * as boards from './sqliteLeaderboard.ts';
import * as matches from './sqliteMatches.ts';
import type {
  Game,
  NewAgent,
  NewAgentVersion,
  NewEpisode,
  NewMatch,
  NewRating,
  NewRatingTableInfo,
  PageOptions,
} from './types.ts';

export const DEFAULT_DB_PATH = 'data/arena.sqlite';

export interface SqliteStorageOptions {
  /** Database file; ':memory:' for a private in-memory database (tests). Default `data/arena.sqlite`. */
  path?: string;
  /** 'FULL' (default) survives power loss; 'NORMAL' only process crashes. See the module comment. */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Clock for `created_at` columns, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

export class SqliteStorage implements Storage {
  /** The open connection, shared with `SqliteJobQueue` so jobs live in the same file. */
  readonly db: Database.Database;
  /** Schema versions before and after opening. */
  readonly migration: MigrateResult;
  private readonly ctx: SqliteContext;

  constructor(opts: SqliteStorageOptions = {}) {
    const path = opts.path ?? DEFAULT_DB_PATH;
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    try {
      configureConnection(this.db, opts);
      this.migration = migrate(this.db);
    } catch (error) {
      this.db.close();
      throw unreadableStore(error, path);
    }
    const statements = new Map<string, Database.Statement>();
    const db = this.db;
    this.ctx = {
      db,
      now: opts.now ?? Date.now,
      stmt(sql) {
        let s = statements.get(sql);
        if (!s) {
          s = db.prepare(sql);
          statements.set(sql, s);
        }
        return s;
      },
    };
  }

  createOwner(opts: { name: string }) {
    return accounts.createOwner(this.ctx, opts);
  }
  getOwner(id: number) {
    return accounts.getOwner(this.ctx, id);
  }
  issueToken(opts: { ownerId: number; label?: string }) {
    return accounts.issueToken(this.ctx, opts);
  }
  authenticate(token: string) {
    return accounts.authenticate(this.ctx, token);
  }
  revokeToken(tokenId: number) {
    return accounts.revokeToken(this.ctx, tokenId);
  }
  upsertGame(game: Game) {
    return accounts.upsertGame(this.ctx, game);
  }
  getGame(id: string) {
    return accounts.getGame(this.ctx, id);
  }
  listGames() {
    return accounts.listGames(this.ctx);
  }
  createAgent(agent: NewAgent) {
    return accounts.createAgent(this.ctx, agent);
  }
  getAgent(id: number) {
    return accounts.getAgent(this.ctx, id);
  }
  findAgent(opts: { gameId: string; name: string }) {
    return accounts.findAgent(this.ctx, opts);
  }
  listAgents(opts?: { gameId?: string; ownerId?: number }) {
    return accounts.listAgents(this.ctx, opts);
  }
  addAgentVersion(version: NewAgentVersion) {
    return accounts.addAgentVersion(this.ctx, version);
  }
  getAgentVersion(id: number) {
    return accounts.getAgentVersion(this.ctx, id);
  }
  getAgentDetails(agentId: number) {
    return boards.getAgentDetails(this.ctx, agentId);
  }
  deleteAgentVersion(versionId: number) {
    return deletion.deleteAgentVersion(this.ctx, versionId);
  }
  deleteAgentIfEmpty(agentId: number) {
    return deletion.deleteAgentIfEmpty(this.ctx, agentId);
  }
  recordEpisodes(list: readonly NewEpisode[]) {
    return episodes.recordEpisodes(this.ctx, list);
  }
  listEpisodes(opts: { versionId: number } & PageOptions) {
    return episodes.listEpisodes(this.ctx, opts);
  }
  getReplay(id: number) {
    return episodes.getReplay(this.ctx, id);
  }
  recordMatch(match: NewMatch) {
    return matches.recordMatch(this.ctx, match);
  }
  getMatch(id: number) {
    return matches.getMatch(this.ctx, id);
  }
  listMatches(opts: ListMatchesOptions = {}) {
    return matches.listMatches(this.ctx, opts);
  }
  matchResults(gameId: string) {
    return matches.matchResults(this.ctx, gameId);
  }
  replaceRatings(gameId: string, ratings: readonly NewRating[], table?: NewRatingTableInfo) {
    return matches.replaceRatings(this.ctx, gameId, ratings, table);
  }
  ratingTable(gameId: string) {
    return matches.ratingTable(this.ctx, gameId);
  }
  listRatings(gameId: string) {
    return matches.listRatings(this.ctx, gameId);
  }
  leaderboard(gameId: string, opts?: LeaderboardOptions) {
    return boards.leaderboard(this.ctx, gameId, opts);
  }
  crossGameTable(opts?: LeaderboardOptions) {
    return boards.crossGameTable(this.ctx, opts);
  }

  rebuildAggregates(): void {
    episodes.rebuildAggregates(this.ctx);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** A file that is not a SQLite database (or a damaged one) is a user's problem to see, not a crash. */
function unreadableStore(error: unknown, path: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') return error;
  return new UserError(
    `${path} is not a readable arena database (${(error as Error).message}): restore it from a backup, move it aside to start with an empty store, or start with --data DIR`,
    'STORE_UNREADABLE',
  );
}

/** Connection settings every connection to the arena database must use. */
export function configureConnection(
  db: Database.Database,
  opts: Pick<SqliteStorageOptions, 'synchronous' | 'busyTimeoutMs'> = {},
): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 5000))}`);
  // An in-memory database reports 'memory' and cannot use WAL; that is fine for tests.
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
}

/** Opens (creating and migrating as needed) the arena database. */
export function openSqliteStorage(opts: SqliteStorageOptions = {}): SqliteStorage {
  return new SqliteStorage(opts);
}
