import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA_LOCK_FILE, lockDataFolder } from './dataLock.ts';

const CHILD = fileURLToPath(new URL('../../tests/support/dataLockChild.ts', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'arena-lock-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the data folder lock', () => {
  it('refuses a second holder in the same process until the first releases it', () => {
    const first = lockDataFolder(dir);
    expect(() => lockDataFolder(dir)).toThrow(
      expect.objectContaining({ name: 'UserError', code: 'DATA_IN_USE' }),
    );
    expect(() => lockDataFolder(dir)).toThrow(
      `the data folder ${dir} is in use by another running arena server`,
    );
    first.release();
    first.release(); // idempotent
    const second = lockDataFolder(dir);
    second.release();
  });

  it('explains a lock file it cannot open or write, and leaves what is there untouched', () => {
    // A directory where the lock file goes: SQLite cannot open it (SQLITE_CANTOPEN).
    mkdirSync(join(dir, DATA_LOCK_FILE));
    expect(() => lockDataFolder(dir)).toThrow(
      expect.objectContaining({ name: 'UserError', code: 'DATA_LOCK_FAILED' }),
    );
    expect(() => lockDataFolder(dir)).toThrow(
      `cannot take the lock on the data folder ${dir} (${join(dir, DATA_LOCK_FILE)}: unable to open database file)`,
    );
    rmSync(join(dir, DATA_LOCK_FILE), { recursive: true });

    // Some other file by that name (SQLITE_NOTADB): refused, and not overwritten.
    const foreign = Buffer.alloc(4096, 0x5a);
    writeFileSync(join(dir, DATA_LOCK_FILE), foreign);
    expect(() => lockDataFolder(dir)).toThrow(
      expect.objectContaining({
        code: 'DATA_LOCK_FAILED',
        message: expect.stringContaining('file is not a database'),
      }),
    );
    expect(readFileSync(join(dir, DATA_LOCK_FILE)).equals(foreign)).toBe(true);
  });

  it('locks folders independently', () => {
    const other = mkdtempSync(join(tmpdir(), 'arena-lock-'));
    try {
      const a = lockDataFolder(dir);
      const b = lockDataFolder(other);
      a.release();
      b.release();
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("refuses another process's lock, and leaves none behind when that process is killed", async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => {
      child.on('exit', (_code, signal) => resolve(signal));
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('locked')) resolve();
      });
      child.on('exit', () => reject(new Error('the lock holder exited early')));
    });
    try {
      expect(() => lockDataFolder(dir)).toThrow(expect.objectContaining({ code: 'DATA_IN_USE' }));
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    // No stale lock: the operating system released it with the process.
    const after = lockDataFolder(dir);
    after.release();
  }, 30_000);
});
