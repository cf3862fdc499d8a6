/** Remote-agent settings of a server (`ServerConfig.remote`), with their defaults. */

export interface RemoteOptions {
  /** Time each reply may take, ms after its observation was sent. */
  stepBudgetMs: number;
  /** Extra time per episode (or match) that over-budget replies draw from, ms. */
  timeBankMs: number;
  /** Late replies in a row, once the bank is empty, that forfeit the episode. */
  lateLimit: number;
  /** Time to send `hello` after connecting, ms. */
  helloTimeoutMs: number;
  /** Largest message an agent may send, bytes (WebSocket `maxPayload`; socket.io's `maxHttpBufferSize`). */
  maxMessageBytes: number;
  /** Connected agents at once, all owners together. */
  maxSessions: number;
  /** Connected agents at once per owner. */
  maxSessionsPerOwner: number;
  /** Worker threads that run remote agents' games; default `os.availableParallelism()`. */
  envWorkers?: number;
  /**
   * How far below the HTTP thread those workers are scheduled (Linux nice steps, 0-19): replies
   * are timed on the HTTP thread, which must not wait behind emulation on a busy machine.
   */
  envWorkerNice: number;
}

export const DEFAULT_REMOTE_OPTIONS: Readonly<RemoteOptions> = Object.freeze({
  stepBudgetMs: 100,
  timeBankMs: 10_000,
  lateLimit: 3,
  helloTimeoutMs: 10_000,
  // Agents send only `hello` and `action` messages, each well under 1 KiB; spectators on the same
  // socket.io server send smaller ones still.
  maxMessageBytes: 16 * 1024,
  maxSessions: 256,
  maxSessionsPerOwner: 16,
  envWorkerNice: 5,
});

export function resolveRemoteOptions(input: Partial<RemoteOptions> = {}): RemoteOptions {
  const options = { ...DEFAULT_REMOTE_OPTIONS, ...input };
  for (const key of [
    'stepBudgetMs',
    'timeBankMs',
    'lateLimit',
    'helloTimeoutMs',
    'maxMessageBytes',
    'maxSessions',
    'maxSessionsPerOwner',
  ] as const) {
    const value = options[key];
    if (!Number.isFinite(value) || value < 0 || (key !== 'timeBankMs' && value === 0))
      throw new RangeError(`remote.${key} must be a positive number, got ${value}`);
  }
  const nice = options.envWorkerNice;
  if (!Number.isInteger(nice) || nice < 0 || nice > 19)
    throw new RangeError(`remote.envWorkerNice must be an integer from 0 to 19, got ${nice}`);
  return options;
}
