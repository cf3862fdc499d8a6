/** Several worker processes on one database file must never claim the same job twice. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { SqliteStorage } from '../storage/sqlite.ts';
import { SqliteJobQueue } from './sqliteJobQueue.ts';

const CHILD = fileURLToPath(new URL('../../tests/support/queueChild.ts', import.meta.url));

function runWorker(path: string, workerId: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, workerId], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => {
      if (code === 0) resolve(out.split('\n').filter(Boolean));
      else reject(new Error(`worker ${workerId} exited with ${code}`));
    });
  });
}

it('three worker processes drain a queue with each job claimed exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arena-mpq-'));
  const path = join(dir, 'arena.sqlite');
  try {
    const storage = new SqliteStorage({ path, synchronous: 'NORMAL' });
    const queue = new SqliteJobQueue({ db: storage.db });
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push((await queue.enqueue({ payload: i })).job.id);
    const claimed = (await Promise.all(['w1', 'w2', 'w3'].map((w) => runWorker(path, w)))).flat();
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(await queue.counts()).toEqual({ queued: 0, running: 0, completed: 300, failed: 0 });
    storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
