import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStorage } from '../storage/sqlite.ts';
import { describeJobQueueContract } from './queue.contract.ts';
import { SqliteJobQueue } from './sqliteJobQueue.ts';

// A real file, so `restart` exercises closing and reopening the database.
describeJobQueueContract('sqlite', async ({ now }) => {
  const dir = mkdtempSync(join(tmpdir(), 'arena-queue-'));
  const path = join(dir, 'arena.sqlite');
  let storage = new SqliteStorage({ path });
  const open = () => new SqliteJobQueue({ db: storage.db, now });
  return {
    queue: open(),
    async restart() {
      storage.close();
      storage = new SqliteStorage({ path });
      return open();
    },
    async dispose() {
      storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteJobQueue', () => {
  it('keeps named queues apart in one table', async () => {
    const storage = new SqliteStorage({ path: ':memory:' });
    const evals = new SqliteJobQueue({ db: storage.db, name: 'eval' });
    const ratings = new SqliteJobQueue({ db: storage.db, name: 'ratings' });
    const { job } = await evals.enqueue({ payload: 1, dedupeKey: 'k' });
    expect((await ratings.enqueue({ payload: 2, dedupeKey: 'k' })).created).toBe(true);
    expect(await ratings.get(job.id)).toBeNull();
    expect((await ratings.claim({ workerId: 'w', leaseMs: 1000 }))?.payload).toBe(2);
    expect((await evals.counts()).queued).toBe(1);
    storage.close();
  });

  it('lets episodes reference the job that produced them', async () => {
    const storage = new SqliteStorage({ path: ':memory:' });
    const queue = new SqliteJobQueue({ db: storage.db });
    const { job } = await queue.enqueue({ payload: { versionId: 1 } });
    storage.upsertGame({ id: 'brick', title: 'Brick', romSha1: 'c'.repeat(40), baselines: null });
    const owner = storage.createOwner({ name: 'o' });
    const agent = storage.createAgent({
      ownerId: owner.id,
      gameId: 'brick',
      name: 'a',
      kind: 'builtin',
    });
    const v = storage.addAgentVersion({ agentId: agent.id });
    const [e] = storage.recordEpisodes([
      { versionId: v.id, score: 1, frames: 1, seed: 1, outcome: 'OK', jobId: Number(job.id) },
    ]);
    expect(e.jobId).toBe(Number(job.id));
    storage.close();
  });

  it('rejects bad options at the boundary', async () => {
    const storage = new SqliteStorage({ path: ':memory:' });
    const queue = new SqliteJobQueue({ db: storage.db });
    await expect(queue.enqueue({ payload: 1, maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
    await expect(queue.claim({ workerId: 'w', leaseMs: -1 })).rejects.toThrow(/leaseMs/);
    storage.close();
  });
});
