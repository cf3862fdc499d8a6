/**
 * The JobQueue contract as one vitest suite, run against every implementation
 * (`describeJobQueueContract('sqlite', makeSqliteQueue)`). Time is a fake clock the suite
 * advances, so lease and back-off behaviour is tested without sleeping; an implementation must
 * read time only from `ctx.now`. (A Redis implementation passes `now()` to its Lua scripts as an
 * argument rather than reading Redis TIME.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobQueue } from './jobQueue.ts';

export interface QueueTestContext {
  /** The clock the queue must use (ms since epoch). */
  now: () => number;
}

export interface QueueUnderTest {
  queue: JobQueue;
  /** Closes the queue and opens a new one over the same store, as a server restart would. */
  restart(): Promise<JobQueue>;
  /** Frees the store. */
  dispose(): Promise<void>;
}

export type MakeQueue = (ctx: QueueTestContext) => Promise<QueueUnderTest>;

const LEASE = 30_000;

export function describeJobQueueContract(name: string, makeQueue: MakeQueue): void {
  describe(`JobQueue contract: ${name}`, () => {
    let time: number;
    let handle: QueueUnderTest;
    let q: JobQueue;
    const advance = (ms: number) => {
      time += ms;
    };
    const claim = () => q.claim({ workerId: 'w1', leaseMs: LEASE });

    beforeEach(async () => {
      time = 1_700_000_000_000;
      handle = await makeQueue({ now: () => time });
      q = handle.queue;
    });
    afterEach(async () => {
      await handle.dispose();
    });

    it('enqueues with defaults and round-trips the payload', async () => {
      const payload = { versionId: 7, seeds: [1, 2, 3], opts: { frameSkip: 4, label: 'x' } };
      const { job, created } = await q.enqueue({ payload });
      expect(created).toBe(true);
      expect(job).toMatchObject({
        state: 'queued',
        payload,
        dedupeKey: null,
        priority: 0,
        attempts: 0,
        maxAttempts: 3,
        runAt: time,
        result: null,
      });
      expect(await q.get(job.id)).toEqual(job);
      expect(await q.get('999999')).toBeNull();
      expect(await q.get('not-an-id')).toBeNull();
      expect(await q.counts()).toEqual({ queued: 1, running: 0, completed: 0, failed: 0 });
    });

    it('claims by priority, then oldest first, and leases each job once', async () => {
      expect(await claim()).toBeNull();
      const a = (await q.enqueue({ payload: 'a' })).job;
      advance(1);
      const b = (await q.enqueue({ payload: 'b', priority: 5 })).job;
      advance(1);
      const c = (await q.enqueue({ payload: 'c' })).job;
      const first = (await claim())!;
      expect(first).toMatchObject({ id: b.id, state: 'running', attempts: 1, leaseOwner: 'w1' });
      expect(first.leaseExpiresAt).toBe(time + LEASE);
      expect(first.leaseToken).toEqual(expect.any(String));
      expect((await claim())!.id).toBe(a.id);
      expect((await claim())!.id).toBe(c.id);
      expect(await claim()).toBeNull();
      expect(await q.counts()).toEqual({ queued: 0, running: 3, completed: 0, failed: 0 });
    });

    it('hands concurrent claimers distinct jobs', async () => {
      for (let i = 0; i < 5; i++) await q.enqueue({ payload: i });
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) => q.claim({ workerId: `w${i}`, leaseMs: LEASE })),
      );
      const ids = claims.filter((j) => j !== null).map((j) => j.id);
      expect(new Set(ids).size).toBe(5);
      expect(claims.filter((j) => j === null)).toHaveLength(5);
    });

    it('holds a delayed job until its time', async () => {
      await q.enqueue({ payload: 'later', delayMs: 10_000 });
      expect(await claim()).toBeNull();
      advance(10_000);
      expect((await claim())?.payload).toBe('later');
    });

    it('dedupes on the key while a job is queued or running, not after', async () => {
      const first = await q.enqueue({ payload: 1, dedupeKey: 'eval:7' });
      const again = await q.enqueue({ payload: 2, dedupeKey: 'eval:7' });
      expect(again).toEqual({ job: first.job, created: false });
      expect((await q.enqueue({ payload: 3, dedupeKey: 'eval:8' })).created).toBe(true);
      const running = (await claim())!;
      expect(running.id).toBe(first.job.id);
      expect((await q.enqueue({ payload: 4, dedupeKey: 'eval:7' })).job.id).toBe(first.job.id);
      expect(await q.complete({ jobId: running.id, leaseToken: running.leaseToken })).toBe(true);
      const fresh = await q.enqueue({ payload: 5, dedupeKey: 'eval:7' });
      expect(fresh.created).toBe(true);
      expect(fresh.job.id).not.toBe(first.job.id);
    });

    it('completes only with the current lease token', async () => {
      const { job } = await q.enqueue({ payload: 'x' });
      const claimed = (await claim())!;
      expect(await q.complete({ jobId: job.id, leaseToken: 'wrong' })).toBe(false);
      const result = { episodes: 3, mean: 12.5 };
      expect(await q.complete({ jobId: job.id, leaseToken: claimed.leaseToken, result })).toBe(
        true,
      );
      expect(await q.complete({ jobId: job.id, leaseToken: claimed.leaseToken })).toBe(false);
      expect(await q.get(job.id)).toMatchObject({
        state: 'completed',
        result,
        leaseExpiresAt: null,
      });
      expect(await q.complete({ jobId: 'bogus', leaseToken: claimed.leaseToken })).toBe(false);
    });

    it('retries a failed job after its back-off until attempts run out', async () => {
      const { job } = await q.enqueue({ payload: 'flaky', maxAttempts: 2 });
      const one = (await claim())!;
      expect(
        await q.fail({
          jobId: job.id,
          leaseToken: one.leaseToken,
          error: 'boom',
          retryDelayMs: 5000,
        }),
      ).toBe('queued');
      expect(await q.get(job.id)).toMatchObject({
        state: 'queued',
        attempts: 1,
        lastError: 'boom',
      });
      expect(await claim()).toBeNull();
      advance(5000);
      const two = (await claim())!;
      expect(two).toMatchObject({ id: job.id, attempts: 2 });
      expect(two.leaseToken).not.toBe(one.leaseToken);
      expect(
        await q.fail({ jobId: job.id, leaseToken: one.leaseToken, error: 'stale' }),
      ).toBeNull();
      expect(await q.fail({ jobId: job.id, leaseToken: two.leaseToken, error: 'boom again' })).toBe(
        'failed',
      );
      expect(await q.get(job.id)).toMatchObject({ state: 'failed', lastError: 'boom again' });
      advance(3_600_000);
      expect(await claim()).toBeNull();
    });

    it('backs off by default and fails at once when told not to retry', async () => {
      const a = (await q.enqueue({ payload: 'a' })).job;
      const lease = (await claim())!;
      await q.fail({ jobId: a.id, leaseToken: lease.leaseToken, error: 'transient' });
      expect((await q.get(a.id))!.runAt).toBeGreaterThan(time);
      const b = (await q.enqueue({ payload: 'b' })).job;
      const lb = (await claim())!;
      expect(lb.id).toBe(b.id);
      expect(
        await q.fail({
          jobId: b.id,
          leaseToken: lb.leaseToken,
          error: 'bad payload',
          retry: false,
        }),
      ).toBe('failed');
    });

    it('requeues jobs whose lease expired and fences out the stalled worker', async () => {
      const { job } = await q.enqueue({ payload: 'slow' });
      const stalled = (await claim())!;
      advance(LEASE - 1);
      expect(await q.requeueExpired()).toBe(0);
      advance(1);
      expect(await q.requeueExpired()).toBe(1);
      expect(await q.get(job.id)).toMatchObject({
        state: 'queued',
        attempts: 1,
        lastError: 'lease expired',
      });
      const taker = (await claim())!;
      expect(taker).toMatchObject({ id: job.id, attempts: 2 });
      expect(
        await q.heartbeat({ jobId: job.id, leaseToken: stalled.leaseToken, leaseMs: LEASE }),
      ).toBe(false);
      expect(await q.complete({ jobId: job.id, leaseToken: stalled.leaseToken })).toBe(false);
      expect(await q.complete({ jobId: job.id, leaseToken: taker.leaseToken })).toBe(true);
    });

    it('keeps a lease alive with heartbeats', async () => {
      const { job } = await q.enqueue({ payload: 'long' });
      const lease = (await claim())!;
      for (let i = 0; i < 5; i++) {
        advance(LEASE - 1000);
        expect(
          await q.heartbeat({ jobId: job.id, leaseToken: lease.leaseToken, leaseMs: LEASE }),
        ).toBe(true);
        expect(await q.requeueExpired()).toBe(0);
      }
      expect((await q.get(job.id))!.leaseExpiresAt).toBe(time + LEASE);
    });

    it('fails a job whose last attempt expired instead of requeueing it', async () => {
      const { job } = await q.enqueue({ payload: 'crashy', maxAttempts: 1 });
      await claim();
      advance(LEASE);
      expect(await q.requeueExpired()).toBe(1);
      expect(await q.get(job.id)).toMatchObject({ state: 'failed', lastError: 'lease expired' });
    });

    it('keeps jobs across a restart and requeues the ones that were running', async () => {
      const done = (await q.enqueue({ payload: 'done' })).job;
      const lease = (await claim())!;
      await q.complete({ jobId: done.id, leaseToken: lease.leaseToken });
      const running = (await q.enqueue({ payload: 'running' })).job;
      await claim();
      const waiting = (await q.enqueue({ payload: 'waiting' })).job;
      q = await handle.restart();
      expect(await q.requeueRunning()).toBe(1);
      expect(await q.get(done.id)).toMatchObject({ state: 'completed' });
      expect(await q.get(running.id)).toMatchObject({ state: 'queued', attempts: 1 });
      expect(await q.get(waiting.id)).toMatchObject({ state: 'queued', attempts: 0 });
      expect((await claim())!.id).toBe(running.id);
    });

    it('lists jobs by state, oldest first', async () => {
      for (let i = 0; i < 4; i++) await q.enqueue({ payload: i });
      await claim();
      expect((await q.list()).map((j) => j.payload)).toEqual([0, 1, 2, 3]);
      expect((await q.list({ state: 'queued' })).map((j) => j.payload)).toEqual([1, 2, 3]);
      expect((await q.list({ state: 'running' })).map((j) => j.payload)).toEqual([0]);
      expect(await q.list({ state: 'queued', limit: 2 })).toHaveLength(2);
    });
  });
}
