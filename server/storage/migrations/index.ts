import type Database from 'better-sqlite3';
import { initialSchema } from './001_initial.ts';
import { ratingTablesSchema } from './002_rating_tables.ts';

/** One schema step. `version` numbers run 1, 2, 3, … with no gaps; applied ones never change. */
export interface Migration {
  version: number;
  name: string;
  /** SQL script, or a function for steps that need code (data rewrites). */
  up: string | ((db: Database.Database) => void);
}

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: initialSchema },
  { version: 2, name: 'rating tables', up: ratingTablesSchema },
];
