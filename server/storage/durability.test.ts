/**
 * A finished episode must survive `kill -9`: a child process commits episodes in a loop and
 * reports each commit; after SIGKILL every reported episode must be in the file, and the
 * aggregates must agree with the rows (they commit in the same transaction).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { addAgent } from '../../tests/support/storeFixtures.ts';
import { SqliteStorage } from './sqlite.ts';

const CHILD = fileURLToPath(new URL('../../tests/support/durabilityChild.ts', import.meta.url));

describe('durability', () => {
  it('keeps every episode reported committed when the writer is killed with SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arena-kill-'));
    const path = join(dir, 'arena.sqlite');
    try {
      const setup = new SqliteStorage({ path });
      const [versionId] = addAgent(setup, { name: 'writer' }).versionIds;
      setup.close();

      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, String(versionId)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const reported = new Set<number>();
      const exited = new Promise<NodeJS.Signals | null>((resolve) => {
        child.on('exit', (_code, signal) => resolve(signal));
      });
      await new Promise<void>((resolve, reject) => {
        let buffered = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) reported.add(Number(line.split(' ')[1]));
          if (reported.size >= 300) {
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.on('exit', () => reject(new Error('writer exited before it was killed')));
      });
      expect(await exited).toBe('SIGKILL');

      const after = new SqliteStorage({ path });
      const seeds = new Set(
        after.db
          .prepare('SELECT seed FROM episodes WHERE version_id = ?')
          .pluck()
          .all(versionId) as number[],
      );
      for (const seed of reported) expect(seeds.has(seed)).toBe(true);
      const [row] = after.leaderboard('brick');
      expect(row.summary.n).toBe(seeds.size);
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
