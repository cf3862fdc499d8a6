/**
 * The data folder belongs to one server at a time, and a folder that cannot be used stops the
 * start with a clear error that leaves nothing open: no port, no lock, no database connection.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataFolder } from '../../server/storage/dataLock.ts';
import { SqliteStorage } from '../../server/storage/sqlite.ts';
import { startTestServer } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/arena.mjs', import.meta.url));

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'arena-data-folder-test-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** `arena serve` on the folder: its exit code and stderr (it must exit, not hang). */
function serve(dir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--data', dir, '--no-seed', '--workers', '1'],
      { timeout: 60_000 },
      (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
    );
  });
}

/** The folder is free again: nothing of the failed start holds it. */
function expectUnlocked(dir: string) {
  lockDataFolder(dir).release();
}

describe('a data folder in use by another server', () => {
  it('is refused with DATA_IN_USE while the first server keeps running, and free after it stops', async () => {
    const first = await startTestServer({ dataDir });
    try {
      const second = startTestServer({ dataDir });
      await expect(second).rejects.toMatchObject({ name: 'UserError', code: 'DATA_IN_USE' });
      await expect(second).rejects.toThrow(`the data folder ${dataDir} is in use`);
      const health = await fetch(`${first.url}/api/health`);
      expect(health.status).toBe(200);
    } finally {
      await first.close();
    }
    const again = await startTestServer({ dataDir });
    expect((await fetch(`${again.url}/api/health`)).status).toBe(200);
    await again.close();
  });

  it('makes arena serve exit 1 with the message alone, and the running server goes on', async () => {
    const first = await startTestServer({ dataDir });
    try {
      const result = await serve(dataDir);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`the data folder ${dataDir} is in use`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect((await fetch(`${first.url}/api/health`)).status).toBe(200);
    } finally {
      await first.close();
    }
  }, 90_000);
});

describe('a damaged data folder', () => {
  it('with a bad secret key: BAD_SECRET, and the folder is left unlocked', async () => {
    writeFileSync(join(dataDir, 'secret.key'), 'not a key\n');
    const failed = startTestServer({ dataDir });
    await expect(failed).rejects.toMatchObject({ name: 'UserError', code: 'BAD_SECRET' });
    await expect(failed).rejects.toThrow('secret.key is not a 64-hex-digit key');
    expectUnlocked(dataDir);
  });

  it('with a file that is not a database: STORE_UNREADABLE, in one line from arena serve', async () => {
    writeFileSync(join(dataDir, 'arena.sqlite'), Buffer.alloc(8192, 7));
    const failed = startTestServer({ dataDir });
    await expect(failed).rejects.toMatchObject({ name: 'UserError', code: 'STORE_UNREADABLE' });
    expectUnlocked(dataDir);
    const result = await serve(dataDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('arena.sqlite is not a readable arena database');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 90_000);

  it('with a database from a newer build: SCHEMA_TOO_NEW, and the folder is left unlocked', async () => {
    const db = new Database(join(dataDir, 'arena.sqlite'));
    db.pragma('user_version = 999');
    db.close();
    await expect(startTestServer({ dataDir })).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW' });
    expectUnlocked(dataDir);
  });

  it('failing after the store is open: the store is closed and the folder unlocked', async () => {
    const path = join(dataDir, 'arena.sqlite');
    new SqliteStorage({ path }).close();
    const db = new Database(path);
    db.exec('DROP TABLE eval_jobs');
    db.close();
    await expect(startTestServer({ dataDir })).rejects.toThrow(/eval_jobs/);
    // SQLite removes the write-ahead log when the last connection to the file closes.
    expect(existsSync(`${path}-wal`)).toBe(false);
    expectUnlocked(dataDir);
  });
});
