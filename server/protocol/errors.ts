/**
 * The API's error contract, browser-safe: every error answer is
 * `{ "error": { "code": "...", "message": "..." } }`, and the code alone decides the HTTP status.
 * A code missing from `ERROR_STATUS` does not compile, so no error can fall back to a status by
 * accident.
 */
import { z } from 'zod';

export const ERROR_STATUS = {
  /** The request is malformed: a bad field, parameter, body or multipart form. */
  BAD_REQUEST: 400,
  /** The game named is not on this server, or cannot be played this way (one-player vs. matches). */
  BAD_GAME: 400,
  /** An option or setting is out of range. */
  BAD_OPTION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  /** Replays and seeds are published when the version's evaluation ends. */
  EVALUATION_RUNNING: 409,
  LENGTH_REQUIRED: 411,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The uploaded agent folder failed the format check (`arena agent check`). */
  AGENT_INVALID: 422,
  RATE_LIMITED: 429,
  /** A fault of the server; its message says nothing about internals. */
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
}

export const errorBody = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(ERROR_CODES),
      message: z.string(),
    }),
  })
  .meta({ description: 'every error answer; the code decides the HTTP status' });

export type ErrorBody = z.infer<typeof errorBody>;
