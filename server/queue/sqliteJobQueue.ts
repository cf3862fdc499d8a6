/**
 * `JobQueue` over the arena's SQLite database (table `eval_jobs`, created by the storage
 * migrations). Pass the storage's connection so jobs and results share one file; claims are a
 * single UPDATE … RETURNING, hence atomic even with several processes on the file.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import { UserError } from '../../emulators/errors.ts';
import { migrate } from '../storage/migrate.ts';
import { jsonValueSchema, parseStoredJson } from '../storage/storedJson.ts';
import {
  type ClaimedJob,
  type ClaimOptions,
  defaultRetryDelayMs,
  type EnqueueOptions,
  type EnqueueResult,
  type FailOptions,
  JOB_STATES,
  type Job,
  type JobQueue,
  type JobState,
  type JsonValue,
  type LeaseRef,
  type ListJobsOptions,
} from './jobQueue.ts';

export interface SqliteJobQueueOptions<P extends JsonValue = JsonValue> {
  /** An open connection to the arena database (e.g. `SqliteStorage.db`); migrated if needed. */
  db: Database.Database;
  /** Queue name, so several queues can share the table. Default 'eval'. */
  name?: string;
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Close `db` in `close()`. Default false: the storage owns the connection. */
  ownsConnection?: boolean;
  /** What a payload read back must be. Default: any JSON value (the consumer checks it). */
  payloadSchema?: z.ZodType<P>;
}

interface JobRow {
  id: number;
  state: JobState;
  payload: string;
  dedupe_key: string | null;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_at: number;
  lease_token: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  result: string | null;
  created_at: number;
  updated_at: number;
}

function jobFromRow<P extends JsonValue>(r: JobRow, payloadSchema: z.ZodType<P>): Job<P> {
  return {
    id: String(r.id),
    state: r.state,
    payload: parseStoredJson(r.payload, payloadSchema, 'eval_jobs.payload'),
    dedupeKey: r.dedupe_key,
    priority: r.priority,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: r.run_at,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
    lastError: r.last_error,
    result:
      r.result === null ? null : parseStoredJson(r.result, jsonValueSchema, 'eval_jobs.result'),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function invalid(message: string): never {
  throw new UserError(message, 'BAD_REQUEST');
}

function checkDuration(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    invalid(`${name} must be a non-negative integer number of milliseconds`);
  }
  return value;
}

/** Job ids are decimal row ids; anything else cannot name a job. */
function rowId(jobId: string): number {
  return /^[1-9][0-9]{0,15}$/.test(jobId) ? Number(jobId) : -1;
}

export class SqliteJobQueue<P extends JsonValue = JsonValue> implements JobQueue<P> {
  private readonly db: Database.Database;
  private readonly name: string;
  private readonly now: () => number;
  private readonly ownsConnection: boolean;
  private readonly payloadSchema: z.ZodType<P>;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(opts: SqliteJobQueueOptions<P>) {
    this.db = opts.db;
    this.name = opts.name ?? 'eval';
    this.now = opts.now ?? Date.now;
    this.ownsConnection = opts.ownsConnection ?? false;
    this.payloadSchema = opts.payloadSchema ?? (jsonValueSchema as z.ZodType<P>);
    migrate(this.db);
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  async enqueue(opts: EnqueueOptions<P>): Promise<EnqueueResult<P>> {
    const payload = JSON.stringify(opts.payload);
    if (payload === undefined) invalid('payload must be JSON');
    const dedupeKey = opts.dedupeKey ?? null;
    if (dedupeKey !== null && (typeof dedupeKey !== 'string' || dedupeKey.length === 0)) {
      invalid('dedupeKey must be a non-empty string');
    }
    const priority = opts.priority ?? 0;
    if (!Number.isSafeInteger(priority)) invalid('priority must be an integer');
    const maxAttempts = opts.maxAttempts ?? 3;
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) invalid('maxAttempts must be >= 1');
    const delayMs = checkDuration('delayMs', opts.delayMs ?? 0);
    return this.db
      .transaction((): EnqueueResult<P> => {
        if (dedupeKey !== null) {
          const existing = this.stmt(
            `SELECT * FROM eval_jobs WHERE queue = ? AND dedupe_key = ?
               AND state IN ('queued', 'running')`,
          ).get(this.name, dedupeKey) as JobRow | undefined;
          if (existing) return { job: jobFromRow(existing, this.payloadSchema), created: false };
        }
        const now = this.now();
        const row = this.stmt(
          `INSERT INTO eval_jobs (queue, state, payload, dedupe_key, priority, max_attempts, run_at,
             created_at, updated_at)
           VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        ).get(
          this.name,
          payload,
          dedupeKey,
          priority,
          maxAttempts,
          now + delayMs,
          now,
          now,
        ) as JobRow;
        return { job: jobFromRow(row, this.payloadSchema), created: true };
      })
      .immediate();
  }

  async claim(opts: ClaimOptions): Promise<ClaimedJob<P> | null> {
    const leaseMs = checkDuration('leaseMs', opts.leaseMs);
    if (typeof opts.workerId !== 'string') invalid('workerId must be a string');
    const now = this.now();
    const token = randomBytes(16).toString('hex');
    const row = this.stmt(
      `UPDATE eval_jobs
       SET state = 'running', attempts = attempts + 1, lease_token = @token,
           lease_owner = @worker, lease_expires_at = @expires, updated_at = @now
       WHERE id = (SELECT id FROM eval_jobs
                   WHERE queue = @queue AND state = 'queued' AND run_at <= @now
                   ORDER BY priority DESC, run_at, id LIMIT 1)
       RETURNING *`,
    ).get({ token, worker: opts.workerId, expires: now + leaseMs, now, queue: this.name }) as
      | JobRow
      | undefined;
    return row ? { ...jobFromRow(row, this.payloadSchema), leaseToken: token } : null;
  }

  async heartbeat(opts: LeaseRef & { leaseMs: number }): Promise<boolean> {
    const leaseMs = checkDuration('leaseMs', opts.leaseMs);
    const now = this.now();
    const info = this.stmt(
      `UPDATE eval_jobs SET lease_expires_at = ?, updated_at = ?
       WHERE id = ? AND queue = ? AND state = 'running' AND lease_token = ?`,
    ).run(now + leaseMs, now, rowId(opts.jobId), this.name, opts.leaseToken);
    return info.changes === 1;
  }

  async complete(opts: LeaseRef & { result?: JsonValue }): Promise<boolean> {
    const result = opts.result === undefined ? null : JSON.stringify(opts.result);
    const info = this.stmt(
      `UPDATE eval_jobs
       SET state = 'completed', result = ?, lease_token = NULL, lease_expires_at = NULL,
           updated_at = ?
       WHERE id = ? AND queue = ? AND state = 'running' AND lease_token = ?`,
    ).run(result, this.now(), rowId(opts.jobId), this.name, opts.leaseToken);
    return info.changes === 1;
  }

  async fail(opts: FailOptions): Promise<'queued' | 'failed' | null> {
    const error = String(opts.error).slice(0, 4000);
    const retryDelayMs =
      opts.retryDelayMs === undefined ? null : checkDuration('retryDelayMs', opts.retryDelayMs);
    return this.db
      .transaction((): 'queued' | 'failed' | null => {
        const row = this.stmt(
          `SELECT attempts, max_attempts FROM eval_jobs
           WHERE id = ? AND queue = ? AND state = 'running' AND lease_token = ?`,
        ).get(rowId(opts.jobId), this.name, opts.leaseToken) as
          | { attempts: number; max_attempts: number }
          | undefined;
        if (!row) return null;
        const now = this.now();
        const retry = opts.retry !== false && row.attempts < row.max_attempts;
        const delay = retryDelayMs ?? defaultRetryDelayMs(row.attempts);
        this.stmt(
          `UPDATE eval_jobs
           SET state = ?, last_error = ?, run_at = ?, lease_token = NULL, lease_owner = NULL,
               lease_expires_at = NULL, updated_at = ?
           WHERE id = ?`,
        ).run(
          retry ? 'queued' : 'failed',
          error,
          retry ? now + delay : now,
          now,
          rowId(opts.jobId),
        );
        return retry ? 'queued' : 'failed';
      })
      .immediate();
  }

  /** Ends the leases of running jobs matching `where`: back to the queue, or failed if spent. */
  private releaseRunning(where: string, reason: string, now: number): number {
    const info = this.stmt(
      `UPDATE eval_jobs
       SET state = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
           last_error = @reason, run_at = @now, lease_token = NULL, lease_owner = NULL,
           lease_expires_at = NULL, updated_at = @now
       WHERE queue = @queue AND state = 'running' AND ${where}`,
    ).run({ reason, now, queue: this.name });
    return info.changes;
  }

  async requeueExpired(): Promise<number> {
    const now = this.now();
    return this.releaseRunning('lease_expires_at <= @now', 'lease expired', now);
  }

  async requeueRunning(): Promise<number> {
    return this.releaseRunning('1', 'interrupted by a restart', this.now());
  }

  async get(jobId: string): Promise<Job<P> | null> {
    const row = this.stmt('SELECT * FROM eval_jobs WHERE id = ? AND queue = ?').get(
      rowId(jobId),
      this.name,
    ) as JobRow | undefined;
    return row ? jobFromRow(row, this.payloadSchema) : null;
  }

  async list(opts: ListJobsOptions = {}): Promise<Job<P>[]> {
    const limit = Math.min(1000, Math.max(1, Math.trunc(opts.limit ?? 100)));
    if (opts.state !== undefined && !JOB_STATES.includes(opts.state)) invalid('unknown job state');
    const rows = this.stmt(
      `SELECT * FROM eval_jobs WHERE queue = @queue AND (@state IS NULL OR state = @state)
       ORDER BY id LIMIT @limit`,
    ).all({ queue: this.name, state: opts.state ?? null, limit }) as JobRow[];
    return rows.map((r) => jobFromRow(r, this.payloadSchema));
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts: Record<JobState, number> = { queued: 0, running: 0, completed: 0, failed: 0 };
    const rows = this.stmt(
      'SELECT state, count(*) AS n FROM eval_jobs WHERE queue = ? GROUP BY state',
    ).all(this.name) as Array<{ state: JobState; n: number }>;
    for (const r of rows) counts[r.state] = r.n;
    return counts;
  }

  async close(): Promise<void> {
    if (this.ownsConnection && this.db.open) this.db.close();
  }
}
