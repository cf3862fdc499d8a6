/**
 * JSON read back from SQLite is parsed, not cast: each stored column has its schema, and a value
 * that does not match (a hand-edited database, a bug in an older writer) fails with an error that
 * names the table and column, rather than flowing on as a wrong type.
 */
import { z } from 'zod';
import { formatZodError } from '../../emulators/errors.ts';
import type { JsonObject, JsonValue } from './types.ts';

export const jsonValueSchema: z.ZodType<JsonValue> = z.json() as z.ZodType<JsonValue>;
export const jsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), jsonValueSchema);
export const stringListSchema = z.array(z.string());

/** Parses `text` from `column` (e.g. 'agent_versions.metadata') with `schema`. */
export function parseStoredJson<T>(text: string, schema: z.ZodType<T>, column: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`stored ${column} is not JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new Error(`stored ${column}: ${formatZodError(parsed.error, '(root)')}`);
  return parsed.data;
}
