/**
 * kill -9 durability with a real `arena serve` process: once some episodes of the seeded
 * evaluations are recorded, the server is SIGKILLed and restarted on the same data folder. No
 * finished episode may be lost, the interrupted jobs must be re-queued and complete, and no
 * episode may be played twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, waitFor } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/arena.mjs', import.meta.url));
const EPISODES = 3;
const children = new Set<ChildProcess>();
let dataDir: string;

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

async function serve(): Promise<Served> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--port',
      '0',
      '--data',
      dataDir,
      '--workers',
      '1',
      '--episodes',
      String(EPISODES),
      '--max-frames',
      '400',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(out)?.[1], {
    timeoutMs: 60_000,
    what: `the server to start (${err})`,
  });
  return { child, url, stderr: () => err };
}

interface EpisodeRow {
  id: number;
  version_id: number;
  seed: number;
  score: number;
  job_id: number;
}

function readDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'arena.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const episodes = () =>
  readDb(
    (db) =>
      db
        .prepare('SELECT id, version_id, seed, score, job_id FROM episodes ORDER BY id')
        .all() as EpisodeRow[],
  );
const jobs = () =>
  readDb(
    (db) =>
      db.prepare('SELECT id, state, attempts FROM eval_jobs ORDER BY id').all() as {
        id: number;
        state: string;
        attempts: number;
      }[],
  );

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'arena-kill9-'));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('kill -9', () => {
  it('loses no finished episode and resumes the interrupted evaluations', async () => {
    const first = await serve();
    await waitFor(() => episodes().length >= 2 && jobs().some((j) => j.state === 'running'), {
      timeoutMs: 120_000,
      intervalMs: 50,
      what: 'some episodes to be recorded',
    });
    const beforeKill = episodes();
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const afterKill = episodes();
    const running = jobs().filter((j) => j.state === 'running');
    expect(running.length).toBeGreaterThan(0);
    for (const e of beforeKill) expect(afterKill).toContainEqual(e);

    const second = await serve();
    await waitFor(
      async () => {
        const { body } = await api(second, '/jobs');
        return (
          body.jobs.length > 0 && body.jobs.every((j: { state: string }) => j.state === 'completed')
        );
      },
      {
        timeoutMs: 180_000,
        intervalMs: 250,
        what: 'every evaluation to complete after the restart',
      },
    );
    expect(second.stderr()).toMatch(/re-queued \d+ evaluation job/);

    const final = episodes();
    for (const e of afterKill) expect(final).toContainEqual(e);
    const byVersion = new Map<number, number[]>();
    for (const e of final)
      byVersion.set(e.version_id, [...(byVersion.get(e.version_id) ?? []), e.seed]);
    for (const seeds of byVersion.values()) {
      expect(seeds).toHaveLength(EPISODES);
      expect(new Set(seeds).size).toBe(EPISODES);
    }
    const finalJobs = jobs();
    for (const r of running) {
      const job = finalJobs.find((j) => j.id === r.id)!;
      expect(job.state).toBe('completed');
      expect(job.attempts).toBeGreaterThanOrEqual(2);
    }
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }, 300_000);
});
