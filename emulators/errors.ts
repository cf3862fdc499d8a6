/**
 * An error caused by the user's input (a bad ROM, a bad option, a bad agent folder). Its message
 * is meant to be read as is: the CLI prints it without a stack trace and exits non-zero; the
 * server turns it into a 4xx.
 */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    /** A short machine-readable code, e.g. `ROM_TRUNCATED`. */
    readonly code = 'BAD_REQUEST',
  ) {
    super(message);
  }
}

/**
 * A zod error as one line for the user, `path: message; path: message`, with `root` naming a
 * problem of the whole value; at most `limit` problems (all by default).
 */
export function formatZodError(
  error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] },
  root: string,
  limit = Number.POSITIVE_INFINITY,
): string {
  return error.issues
    .slice(0, limit)
    .map((issue) => `${issue.path.map(String).join('.') || root}: ${issue.message}`)
    .join('; ');
}
