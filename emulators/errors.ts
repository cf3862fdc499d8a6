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
    readonly code = 'BAD_INPUT',
  ) {
    super(message);
  }
}
