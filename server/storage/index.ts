export type { LeaderboardOptions, ListMatchesOptions, Storage } from './base.ts';
export { migrate } from './migrate.ts';
export { MIGRATIONS, type Migration } from './migrations/index.ts';
export {
  DEFAULT_DB_PATH,
  openSqliteStorage,
  SqliteStorage,
  type SqliteStorageOptions,
} from './sqlite.ts';
export * from './types.ts';
