/**
 * The job-queue contract the server and evaluation workers depend on. `sqliteJobQueue.ts`
 * implements it over the arena database; a Redis implementation (e.g. on BullMQ) can be added
 * later and must pass the same suite (`queue.contract.ts`). Methods are async for that reason.
 *
 * Life of a job: `queued` → claim → `running` (leased to one worker until `leaseExpiresAt`;
 * heartbeats extend the lease) → `completed`, or on failure back to `queued` (after a back-off)
 * until `maxAttempts` claims have been used, then `failed`. A lease that runs out without a
 * heartbeat (crashed worker) is returned to the queue by `requeueExpired`, and at start-up
 * `requeueRunning` returns every job the previous process was running. Every claim counts as an
 * attempt, including claims cut short by a crash or restart, so a job that kills its worker
 * cannot loop forever.
 *
 * Fencing: a claim returns a fresh `leaseToken`. Heartbeat, complete and fail must present it
 * and are refused (false/null, never a throw) once the job was re-leased or finished, so a
 * stalled worker that wakes up late cannot overwrite the result of the worker that took over.
 */

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

export const JOB_STATES = ['queued', 'running', 'completed', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface Job<P extends JsonValue = JsonValue> {
  id: string;
  state: JobState;
  payload: P;
  /** While this job is queued or running, enqueueing the same key returns it instead. */
  dedupeKey: string | null;
  /** Higher runs first; FIFO within a priority. */
  priority: number;
  /** Claims so far. */
  attempts: number;
  maxAttempts: number;
  /** Earliest time (ms since epoch) it may be claimed: enqueue delay or retry back-off. */
  runAt: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  lastError: string | null;
  /** What `complete` stored. */
  result: JsonValue | null;
  createdAt: number;
  updatedAt: number;
}

/** A job as handed to the worker that claimed it. */
export interface ClaimedJob<P extends JsonValue = JsonValue> extends Job<P> {
  leaseToken: string;
}

export interface EnqueueOptions<P extends JsonValue = JsonValue> {
  payload: P;
  dedupeKey?: string;
  /** Default 0. */
  priority?: number;
  /** Claims allowed before the job fails for good. Default 3. */
  maxAttempts?: number;
  /** Not claimable before now + delayMs. Default 0. */
  delayMs?: number;
}

export interface EnqueueResult<P extends JsonValue = JsonValue> {
  job: Job<P>;
  /** False when an existing live job with the same dedupe key was returned. */
  created: boolean;
}

export interface ClaimOptions {
  /** Who holds the lease (host:pid, worker name); informational. */
  workerId: string;
  /** Lease length; the worker must heartbeat or finish before it runs out. */
  leaseMs: number;
}

export interface LeaseRef {
  jobId: string;
  leaseToken: string;
}

export interface FailOptions extends LeaseRef {
  error: string;
  /** False fails the job for good whatever attempts remain (e.g. a malformed payload). Default true. */
  retry?: boolean;
  /** Back-off before the retry is claimable. Default `defaultRetryDelayMs(attempts)`. */
  retryDelayMs?: number;
}

export interface ListJobsOptions {
  state?: JobState;
  /** Default 100, at most 1000. Oldest first. */
  limit?: number;
}

export interface JobQueue<P extends JsonValue = JsonValue> {
  enqueue(opts: EnqueueOptions<P>): Promise<EnqueueResult<P>>;
  /** Leases the next claimable job (highest priority, then oldest), or null when none is. */
  claim(opts: ClaimOptions): Promise<ClaimedJob<P> | null>;
  /**
   * Extends the lease to now + leaseMs; false if the lease is no longer this worker's. A lease
   * that ran out but was not yet requeued is still this worker's and can be extended.
   */
  heartbeat(opts: LeaseRef & { leaseMs: number }): Promise<boolean>;
  /** Marks the job completed with an optional result; false if the lease was lost. */
  complete(opts: LeaseRef & { result?: JsonValue }): Promise<boolean>;
  /** Requeues the job with back-off, or fails it for good; null if the lease was lost. */
  fail(opts: FailOptions): Promise<'queued' | 'failed' | null>;
  /** Returns running jobs whose lease has expired to the queue (or fails them if out of attempts). */
  requeueExpired(): Promise<number>;
  /**
   * Returns every running job to the queue (or fails it if out of attempts). Call once at
   * start-up, before any worker of this deployment claims: it assumes no lease is live.
   */
  requeueRunning(): Promise<number>;
  get(jobId: string): Promise<Job<P> | null>;
  list(opts?: ListJobsOptions): Promise<Job<P>[]>;
  counts(): Promise<Record<JobState, number>>;
  /** Releases the queue's resources (not the jobs). */
  close(): Promise<void>;
}

/** Exponential back-off: 1 s after the first attempt, doubling, capped at 5 minutes. */
export function defaultRetryDelayMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Calls `requeueExpired` every `intervalMs` until the returned function is called. Errors go to
 * `onError`, by default logged: a throw from a timer would take the whole server down.
 */
export function startLeaseReaper(
  queue: Pick<JobQueue, 'requeueExpired'>,
  opts: { intervalMs: number; onError?: (error: unknown) => void },
): () => void {
  const onError = opts.onError ?? ((error) => console.error('lease reaper:', error));
  const timer = setInterval(() => {
    queue.requeueExpired().catch(onError);
  }, opts.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
