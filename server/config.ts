/**
 * Server configuration: where the store lives, the port, the evaluation rules and the abuse
 * limits, with defaults. `resolveConfig` fills in defaults and the environment
 * (`ARENA_DATA`, `PORT`, `ARENA_TRUST_PROXY`); the server secret lives in the data folder.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { ARENA_CONDITIONS, type EvalConditions } from '../agents/evaluation/conditions.ts';
import { UserError } from '../emulators/errors.ts';
import { type RemoteOptions, resolveRemoteOptions } from './remote/options.ts';

export interface RateLimits {
  /** Owner registrations per IP per hour. */
  registrationsPerHour: number;
  /** Agent uploads per IP per hour. */
  uploadsPerHour: number;
  /** All other API requests per IP per minute. */
  requestsPerMinute: number;
}

/**
 * Which reverse proxies to believe about the client's address (Express's `trust proxy`): `false`
 * (no proxy: the connection's address is the client's), a number of proxy hops in front of the
 * server, or the proxies' own addresses and subnets (`10.0.0.0/8`, `loopback`, …). With it,
 * rate limits and logs see the address from `X-Forwarded-For` instead of the proxy's.
 */
export type TrustProxy = false | number | string[];

export interface ServerConfig {
  /** Folder holding `arena.sqlite`, `secret.key`, `agents/` and `tmp/`. */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Evaluation rules, the same for every agent (see `eval/conditions.ts`). */
  conditions: EvalConditions;
  /** Evaluation worker threads; default `os.availableParallelism()`. */
  workers?: number;
  /** Seed an empty store with the bundled games and agents on start. */
  seed: boolean;
  /** Keep real-time showcase games running on the live stream. */
  showcase: boolean;
  /**
   * Where trained agents (agent folders) are looked for: seeded into an empty store and played by
   * the showcase. Default `agents/bundled/` in the repository.
   */
  bundledDir?: string;
  /** Keep head-to-head matches of two-player games' agents going (Duel ratings). */
  matches: boolean;
  rateLimits: RateLimits;
  /** Remote agents: time budget and bank per step and episode, message and session limits. */
  remote: RemoteOptions;
  /** Proxies whose `X-Forwarded-For` is believed (see `TrustProxy`); default false. */
  trustProxy: TrustProxy;
  /** Largest upload request, bytes (all files together). */
  maxUploadBytes: number;
  /** Largest JSON request body, bytes. */
  maxJsonBytes: number;
  /** Log lines (start-up, evaluations); default none. */
  log?: (line: string) => void;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = Object.freeze({
  registrationsPerHour: 10,
  uploadsPerHour: 60,
  requestsPerMinute: 600,
});

export type ServerConfigInput = Partial<
  Omit<ServerConfig, 'conditions' | 'rateLimits' | 'remote'>
> & {
  conditions?: Partial<EvalConditions>;
  rateLimits?: Partial<RateLimits>;
  remote?: Partial<RemoteOptions>;
};

/** `--data`, else `$ARENA_DATA`, else `data/` in the current folder. */
export function resolveDataDir(given?: string): string {
  return resolve(given ?? process.env.ARENA_DATA ?? 'data');
}

export function resolveConfig(input: ServerConfigInput = {}): ServerConfig {
  return {
    dataDir: resolveDataDir(input.dataDir),
    port: input.port ?? Number(process.env.PORT ?? 8080),
    host: input.host ?? '127.0.0.1',
    conditions: { ...ARENA_CONDITIONS, ...input.conditions },
    workers: input.workers,
    seed: input.seed ?? true,
    showcase: input.showcase ?? true,
    bundledDir: input.bundledDir === undefined ? undefined : resolve(input.bundledDir),
    matches: input.matches ?? true,
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...input.rateLimits },
    remote: resolveRemoteOptions(input.remote),
    trustProxy:
      input.trustProxy ??
      (process.env.ARENA_TRUST_PROXY ? parseTrustProxy(process.env.ARENA_TRUST_PROXY) : false),
    // Weights may be 64 MiB (agents/format/schema.ts), plus a training log and JSON files.
    maxUploadBytes: input.maxUploadBytes ?? 90 * 1024 * 1024,
    maxJsonBytes: input.maxJsonBytes ?? 16 * 1024,
    log: input.log,
  };
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Reads a `trust proxy` setting as `arena serve --trust-proxy` and `ARENA_TRUST_PROXY` take it:
 * `false` or `0`; a hop count (`1` for one proxy such as nginx on the same host); or a
 * comma-separated list of addresses, subnets and the names loopback, linklocal, uniquelocal.
 * `true` (believe any sender) is refused: every client could then pick its own address and step
 * around the rate limits.
 */
export function parseTrustProxy(text: string): TrustProxy {
  const value = text.trim();
  if (value === '' || value === 'false' || value === '0') return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 16) throw new UserError(`trust proxy: ${hops} hops is implausible (at most 16)`);
    return hops;
  }
  if (value === 'true') {
    throw new UserError(
      'trust proxy: "true" would let any client choose its own address; give the number of proxies (e.g. 1) or their addresses',
    );
  }
  const entries = value.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const prefixOk =
      prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!(PROXY_NAMES.has(entry) || (family !== 0 && prefixOk && rest.length === 0))) {
      throw new UserError(
        `trust proxy: ${JSON.stringify(entry)} is not an address, a subnet (10.0.0.0/8) or one of ${[...PROXY_NAMES].join(', ')}`,
      );
    }
  }
  return entries;
}

/**
 * The server secret the evaluation seeds derive from: 32 random bytes made on first start and
 * kept in `<dataDir>/secret.key` (mode 0600), written atomically so a crash cannot leave half a key.
 */
export function loadOrCreateSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
    throw new UserError(
      `${file} is not a 64-hex-digit key: restore it from a backup, or delete it (a new key gives new seeds)`,
      'BAD_SECRET',
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${secret.toString('hex')}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return secret;
}
