/**
 * Every API error is JSON of one stable shape, `{ "error": { "code": "...", "message": "..." } }`,
 * with the HTTP status derived from the code (`protocol/errors.ts`). `UserError`s from any layer
 * (storage, the agent format check, the manifest) keep their message, and their code where it is
 * one of the API's; whatever a malformed request makes the parsers throw (JSON, multipart, URL
 * encoding, charsets, sizes) is a 4xx naming the problem; anything else is a 500 whose message
 * says nothing about internals.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { MulterError } from 'multer';
import type { z } from 'zod';
import { formatZodError } from '../../emulators/errors.ts';
import { ERROR_STATUS, type ErrorBody, type ErrorCode, isErrorCode } from '../protocol/errors.ts';

export type { ErrorBody, ErrorCode } from '../protocol/errors.ts';

/** An error meant for the API client; `code` decides the status. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

/** Parses `value` with a zod schema, or throws a 400 naming each bad field. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ApiError('BAD_REQUEST', `invalid ${what}: ${formatZodError(result.error, what)}`);
}

const MULTER_MESSAGES: Record<string, [ErrorCode, string]> = {
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

/**
 * body-parser's (and raw-body's) error types: what was wrong with the request body. Each carries
 * a 4xx status too; the code and a message in the API's words come from here.
 */
const BODY_ERRORS: Record<string, [ErrorCode, string]> = {
  'entity.parse.failed': ['BAD_REQUEST', 'request body is not valid JSON'],
  'entity.too.large': ['PAYLOAD_TOO_LARGE', 'request body too large'],
  'entity.verify.failed': ['BAD_REQUEST', 'request body failed verification'],
  'charset.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'unsupported charset: send UTF-8'],
  'encoding.unsupported': [
    'UNSUPPORTED_MEDIA_TYPE',
    'unsupported Content-Encoding: send it uncompressed or as gzip, deflate or br',
  ],
  'request.aborted': ['BAD_REQUEST', 'the request was aborted before its body was read'],
  'request.size.invalid': ['BAD_REQUEST', 'the request body does not match its Content-Length'],
  'parameters.too.many': ['PAYLOAD_TOO_LARGE', 'too many parameters in the request body'],
};

/** The code for a 4xx status another library chose (its own code names no API code). */
function codeForStatus(status: number): ErrorCode {
  const match = (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).find(
    ([code, s]) => s === status && code !== 'BAD_GAME' && code !== 'BAD_OPTION',
  );
  return match ? match[0] : 'BAD_REQUEST';
}

const body = (code: ErrorCode, message: string): { status: number; body: ErrorBody } => ({
  status: ERROR_STATUS[code],
  body: { error: { code, message } },
});

/** Maps anything thrown to the status and body sent. */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ApiError) return body(error.code, error.message);
  if (error instanceof MulterError) {
    const [code, message] = MULTER_MESSAGES[error.code] ?? ['BAD_REQUEST', error.message];
    return body(code, error.field ? `${message} (${error.field})` : message);
  }
  const e = error as {
    name?: string;
    code?: unknown;
    message?: string;
    type?: string;
    status?: number;
  };
  if (e?.name === 'UserError' && typeof e.code === 'string') {
    // A lower layer's own code (a ROM or data-folder problem) is not part of the API's contract.
    return body(isErrorCode(e.code) ? e.code : 'BAD_REQUEST', e.message ?? 'bad input');
  }
  const known = typeof e?.type === 'string' ? BODY_ERRORS[e.type] : undefined;
  if (known) return body(known[0], known[1]);
  // http-errors from the router and parsers (a path parameter that is not valid URL encoding).
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return body(codeForStatus(e.status), e.message ?? 'bad request');
  }
  return body('INTERNAL', 'internal server error');
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
