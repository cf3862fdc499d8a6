/**
 * One server per data folder. Two `arena serve` processes on different ports but the same
 * `--data` folder would share one store and fight over it (each re-queues the other's running
 * evaluation jobs as interrupted at start-up, both schedule the same matches), so the server takes
 * this lock before it opens anything else in the folder.
 *
 * The lock is SQLite's own file lock on a small database beside the store (`arena.lock`), held in
 * exclusive locking mode for as long as the connection is open. The operating system drops it when
 * the process ends, however it ends: a server killed with `kill -9` never leaves a stale lock
 * behind (as a pid file or a lock directory would), and the next start needs no clean-up. Within
 * one process a second connection is refused just as another process's is.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../emulators/errors.ts';

export const DATA_LOCK_FILE = 'arena.lock';

export interface DataFolderLock {
  /** Releases the lock (idempotent). */
  release(): void;
}

/**
 * Takes the lock on `dataDir` (which must exist) or throws a `UserError`: code `DATA_IN_USE` when
 * another server, in this process or another, holds it; `DATA_LOCK_FAILED` when the lock file
 * cannot be opened or written (an unwritable folder, a directory or some other file in its place).
 */
export function lockDataFolder(dataDir: string): DataFolderLock {
  const path = join(dataDir, DATA_LOCK_FILE);
  let db: Database.Database;
  try {
    // A zero busy timeout: a held lock is reported at once rather than waited on.
    db = new Database(path, { timeout: 0 });
  } catch (error) {
    throw lockFailed(dataDir, path, error);
  }
  try {
    // Rollback journal, not WAL: in WAL mode the exclusive lock would live in shared memory
    // rather than on the file itself.
    db.pragma('journal_mode = DELETE');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec(
      'CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, started_at INTEGER NOT NULL)',
    );
    // A write takes the exclusive lock; in exclusive locking mode it is kept after the commit.
    db.transaction(() => {
      db.exec('DELETE FROM holder');
      db.prepare('INSERT INTO holder (pid, started_at) VALUES (?, ?)').run(process.pid, Date.now());
    }).immediate();
  } catch (error) {
    db.close();
    if (isBusy(error)) {
      throw new UserError(
        `the data folder ${dataDir} is in use by another running arena server: stop it, or start this one with --data DIR`,
        'DATA_IN_USE',
      );
    }
    throw lockFailed(dataDir, path, error);
  }
  return {
    release() {
      if (db.open) db.close();
    },
  };
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/**
 * SQLite's own errors (unable to open, read-only, not a database, ...) as a one-line `UserError`.
 * The lock file holds nothing but the holder's pid, so it is never repaired or replaced here: a
 * file of that name that is not ours may be someone's data.
 */
function lockFailed(dataDir: string, path: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  return new UserError(
    `cannot take the lock on the data folder ${dataDir} (${path}: ${(error as Error).message}): the server needs to create and write that file; check the folder's permissions, move aside whatever is at that path if it is not an arena lock, or start with --data DIR`,
    'DATA_LOCK_FAILED',
  );
}
