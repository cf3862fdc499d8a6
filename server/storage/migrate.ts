import type Database from 'better-sqlite3';
import { UserError } from '../../emulators/errors.ts';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

export interface MigrateResult {
  /** `PRAGMA user_version` before and after. */
  from: number;
  to: number;
}

/**
 * Brings the schema up to the newest migration. Each step runs in its own transaction together
 * with its `user_version` bump, so a failing step leaves the file at the previous version. Refuses
 * a file from a newer build (a version this build does not know) rather than guess.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrateResult {
  for (const [i, m] of migrations.entries()) {
    if (m.version !== i + 1) {
      throw new Error(`migration ${i} has version ${m.version}; versions must run 1, 2, 3, …`);
    }
  }
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (from > latest) {
    throw new UserError(
      `database schema version ${from} is newer than this build knows (${latest})`,
      'SCHEMA_TOO_NEW',
    );
  }
  for (const m of migrations.slice(from)) {
    // IMMEDIATE takes the write lock up front, so two processes opening the same file at once
    // cannot both apply a step.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= m.version) return;
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: db.pragma('user_version', { simple: true }) as number };
}
