/**
 * Every API error is JSON of one stable shape, `{ "error": { "code": "...", "message": "..." } }`,
 * with the HTTP status derived from the code. `UserError`s from any layer (storage, the agent
 * format check, the manifest) keep their code and message; anything else is a 500 whose message
 * says nothing about internals.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { MulterError } from 'multer';
import type { z } from 'zod';

export interface ErrorBody {
  error: { code: string; message: string };
}

const STATUS: Record<string, number> = {
  BAD_REQUEST: 400,
  INVALID: 400,
  BAD_INPUT: 400,
  UNKNOWN_GAME: 400,
  AGENT_INVALID: 422,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  EVALUATION_RUNNING: 409,
  LENGTH_REQUIRED: 411,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
};

/** An error meant for the API client; `code` picks the status (see STATUS, default 400). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return STATUS[this.code] ?? 400;
  }
}

export function statusOf(code: string): number {
  return STATUS[code] ?? 400;
}

/** Parses `value` with a zod schema, or throws a 400 naming each bad field. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((i) => `${i.path.join('.') || what}: ${i.message}`)
    .join('; ');
  throw new ApiError('BAD_REQUEST', `invalid ${what}: ${problems}`);
}

const MULTER_MESSAGES: Record<string, [string, string]> = {
  LIMIT_FILE_SIZE: ['PAYLOAD_TOO_LARGE', 'a file is larger than the upload limit'],
  LIMIT_FILE_COUNT: ['BAD_REQUEST', 'too many files in the upload'],
  LIMIT_PART_COUNT: ['BAD_REQUEST', 'too many parts in the upload'],
  LIMIT_FIELD_COUNT: ['BAD_REQUEST', 'too many fields in the upload'],
  LIMIT_FIELD_KEY: ['BAD_REQUEST', 'a field name is too long'],
  LIMIT_FIELD_VALUE: ['BAD_REQUEST', 'a field value is too long'],
  LIMIT_UNEXPECTED_FILE: [
    'BAD_REQUEST',
    'unexpected file field: use "files" (repeated) or "archive"',
  ],
};

/** Maps anything thrown to the status and body sent. */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ApiError)
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof MulterError) {
    const [code, message] = MULTER_MESSAGES[error.code] ?? ['BAD_REQUEST', error.message];
    return {
      status: statusOf(code),
      body: { error: { code, message: error.field ? `${message} (${error.field})` : message } },
    };
  }
  const e = error as {
    name?: string;
    code?: unknown;
    message?: string;
    type?: string;
    status?: number;
  };
  if (e?.name === 'UserError' && typeof e.code === 'string') {
    return {
      status: statusOf(e.code),
      body: { error: { code: e.code, message: e.message ?? 'bad input' } },
    };
  }
  // body-parser errors carry a `type` and an HTTP status.
  if (e?.type === 'entity.too.large') {
    return {
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body too large' } },
    };
  }
  if (e?.type === 'entity.parse.failed') {
    return {
      status: 400,
      body: { error: { code: 'BAD_REQUEST', message: 'request body is not valid JSON' } },
    };
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return {
      status: e.status,
      body: { error: { code: 'BAD_REQUEST', message: e.message ?? 'bad request' } },
    };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal server error' } } };
}

export function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const { status, body } = toErrorBody(error);
    if (status >= 500) {
      log(
        `internal error on ${req.method} ${req.originalUrl} from ${req.ip}: ${(error as Error)?.stack ?? String(error)}`,
      );
    }
    res.status(status).json(body);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({
    error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.path}` },
  } satisfies ErrorBody);
};
