/**
 * A port that is taken is the most common way `npm start` fails for a new user (a second arena,
 * a dev server): it must say so and exit, not print a stack trace or hang on worker threads.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer } from '../../server/app.ts';
import { startTestServer } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/arena.mjs', import.meta.url));

let blocker: Server;
let port: number;

beforeEach(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  port = (blocker.address() as { port: number }).port;
});

afterEach(async () => {
  await new Promise<void>((resolve) => blocker.close(() => resolve()));
});

describe('starting on a port that is in use', () => {
  it('rejects with PORT_IN_USE, naming the port and the way out', async () => {
    const failed = startTestServer({ port });
    await expect(failed).rejects.toMatchObject({ name: 'UserError', code: 'PORT_IN_USE' });
    await expect(failed).rejects.toThrow(
      new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*--port N`),
    );
    // A free port works right after (nothing was left half-open by the failed start).
    const server = await startTestServer({ port: 0 });
    expect(server.port).not.toBe(port);
    await server.dispose();
  });

  it('arena serve exits 1 with the message alone (no stack trace) and does not hang', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'arena-listen-test-'));
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [BIN, 'serve', '--port', String(port), '--data', dataDir, '--no-seed', '--workers', '1'],
          { timeout: 60_000 },
          (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
        );
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      // It failed before opening the store, so a running arena's jobs on this folder are untouched.
      expect(existsSync(join(dataDir, 'arena.sqlite'))).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('requests while the server starts', () => {
  it('get 503 with Retry-After until the API is up, then its answers', async () => {
    // A port known to be free: the test polls it while startServer is still seeding.
    const { port: freePort } = blocker.address() as { port: number };
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    blocker = createServer();
    await fetch('data:,warm-up'); // the first fetch() loads undici; not inside the window
    const dataDir = await mkdtemp(join(tmpdir(), 'arena-starting-test-'));
    let started = false;
    // Seeding the bundled games and agents takes a few hundred milliseconds after the port opens.
    const starting = startServer({ port: freePort, dataDir, workers: 1, matches: false });
    void starting.then(() => {
      started = true;
    });
    const answers: Array<{ status: number; retryAfter: string | null; body: string }> = [];
    try {
      while (!started) {
        const response = await fetch(`http://127.0.0.1:${freePort}/api/health`).catch(() => null);
        if (response) {
          answers.push({
            status: response.status,
            retryAfter: response.headers.get('retry-after'),
            body: await response.text(),
          });
        }
      }
      const after = await fetch(`http://127.0.0.1:${freePort}/api/health`);
      expect(after.status).toBe(200);
    } finally {
      await (await starting).close();
      await rm(dataDir, { recursive: true, force: true });
    }
    const during = answers.filter((a) => a.status === 503);
    expect(during.length).toBeGreaterThan(0);
    for (const a of during) expect(a).toEqual({ status: 503, retryAfter: '1', body: 'starting' });
    // Nothing but the start-up answer before the API takes over, and only the API after it.
    const firstOk = answers.findIndex((a) => a.status !== 503);
    if (firstOk >= 0) expect(answers.slice(firstOk).every((a) => a.status === 200)).toBe(true);
  }, 60_000);
});
