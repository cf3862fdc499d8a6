/** Boundary checks and row ↔ object mapping shared by the SQLite storage modules. */
import type Database from 'better-sqlite3';
import { deflateSync, inflateSync } from 'fflate';
import { UserError } from '../../emulators/errors.ts';
import { jsonObjectSchema, parseStoredJson } from './storedJson.ts';
import type { Replay } from './types.ts';

/** What the storage modules share: the connection, a prepared-statement cache and the clock. */
export interface SqliteContext {
  db: Database.Database;
  /** Prepares `sql` once per connection and returns the cached statement after that. */
  stmt(sql: string): Database.Statement;
  now(): number;
}

export function invalid(message: string): never {
  throw new UserError(message, 'BAD_REQUEST');
}

export function notFound(message: string): never {
  throw new UserError(message, 'NOT_FOUND');
}

export function checkFinite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    invalid(`${name} must be a finite number`);
  return value;
}

export function checkInt(name: string, value: unknown, min = Number.MIN_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    invalid(`${name} must be an integer >= ${min}`);
  }
  return value;
}

export function checkText(name: string, value: unknown, maxLength = 200): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    invalid(`${name} must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

export function checkSha1(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{40}$/.test(value)) {
    invalid(`${name} must be 40 lowercase hex digits`);
  }
  return value;
}

export function checkJsonObject(name: string, value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    invalid(`${name} must be a JSON object`);
  }
  return JSON.stringify(value);
}

/** Runs a write, turning SQLite constraint errors into the contract's UserError codes. */
export function translateConstraint<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new UserError(`${what}: already exists`, 'CONFLICT');
    }
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      throw new UserError(`${what}: a referenced row does not exist`, 'NOT_FOUND');
    }
    if (code === 'SQLITE_CONSTRAINT_CHECK')
      throw new UserError(`${what}: ${String(error)}`, 'BAD_REQUEST');
    throw error;
  }
}

export const REPLAY_ENCODING = 'u8-deflate';

export function encodeActions(actions: Uint8Array): Buffer {
  return Buffer.from(deflateSync(actions, { level: 6 }));
}

export interface ReplayRow {
  id: number;
  rom_sha1: string;
  seed: number;
  settings: string;
  encoding: string;
  actions: Buffer;
  frames: number;
  created_at: number;
}

export function replayFromRow(row: ReplayRow): Replay {
  if (row.encoding !== REPLAY_ENCODING) throw new Error(`unknown replay encoding ${row.encoding}`);
  return {
    id: row.id,
    romSha1: row.rom_sha1,
    seed: row.seed,
    settings: parseStoredJson(row.settings, jsonObjectSchema, 'replays.settings'),
    actions: inflateSync(row.actions),
    frames: row.frames,
    createdAt: row.created_at,
  };
}

/** Clamps a page size to 1..1000 (default 100). */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 100;
  checkInt('limit', limit, 1);
  return Math.min(limit, 1000);
}
