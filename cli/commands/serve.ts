/**
 * `arena serve`: starts the arena server (API, evaluation workers, store) and prints its URL.
 * On first start with an empty store it seeds the bundled games and agents and evaluates them.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { startServer } from '../../server/app.ts';
import { parseTrustProxy, type TrustProxy } from '../../server/config.ts';
import { integerOption } from './options.ts';

interface ServeOptions {
  port: number;
  host: string;
  data?: string;
  workers?: number;
  seed: boolean;
  showcase: boolean;
  bundled?: string;
  matches: boolean;
  episodes?: number;
  maxFrames?: number;
  stepBudgetMs?: number;
  timeBankMs?: number;
  trustProxy?: TrustProxy;
  quiet?: boolean;
}

function trustProxyOption(value: string): TrustProxy {
  try {
    return parseTrustProxy(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('start the arena server: REST API, submissions, evaluation and leaderboards')
    .option('--port <p>', 'port to listen on (0 = any free port)', integerOption(0, 65_535), 8080)
    .option('--host <h>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'data folder (database, secret, agents); default $ARENA_DATA or ./data')
    .option(
      '--workers <n>',
      'evaluation worker threads (default: one per core)',
      integerOption(1, 256),
    )
    .option('--no-seed', 'do not seed an empty store with the bundled games and agents')
    .option('--no-showcase', 'do not keep real-time showcase games on the live stream')
    .option(
      '--bundled <dir>',
      'trained agents to seed and to play in the showcase (default: agents/bundled/)',
    )
    .option('--no-matches', 'do not schedule head-to-head matches between Duel agents')
    .option(
      '--episodes <n>',
      'episodes per evaluation, for demos and tests (default 30; applies to every agent)',
      integerOption(1, 1000),
    )
    .option(
      '--max-frames <n>',
      'frame cap per episode, for demos and tests (default 108000; applies to every agent)',
      integerOption(1),
    )
    .option(
      '--trust-proxy <proxies>',
      'behind a reverse proxy: its hop count (1) or addresses/subnets (comma-separated, or loopback), ' +
        'so rate limits and logs see client addresses from X-Forwarded-For (default: none; $ARENA_TRUST_PROXY)',
      trustProxyOption,
    )
    .option(
      '--step-budget-ms <ms>',
      'remote agents: time each reply may take (default 100); later replies draw on the bank',
      integerOption(1, 60_000),
    )
    .option(
      '--time-bank-ms <ms>',
      'remote agents: extra time per episode or match for over-budget replies (default 10000)',
      integerOption(0, 600_000),
    )
    .option('--quiet', 'log nothing but the URL')
    .action(async (options: ServeOptions) => {
      const log = options.quiet
        ? () => {}
        : (line: string) => console.error(`[${new Date().toISOString()}] ${line}`);
      const server = await startServer({
        port: options.port,
        host: options.host,
        dataDir: options.data,
        workers: options.workers,
        seed: options.seed,
        showcase: options.showcase,
        bundledDir: options.bundled,
        matches: options.matches,
        remote: {
          ...(options.stepBudgetMs !== undefined ? { stepBudgetMs: options.stepBudgetMs } : {}),
          ...(options.timeBankMs !== undefined ? { timeBankMs: options.timeBankMs } : {}),
        },
        trustProxy: options.trustProxy,
        conditions: {
          ...(options.episodes !== undefined ? { episodes: options.episodes } : {}),
          ...(options.maxFrames !== undefined ? { maxEpisodeFrames: options.maxFrames } : {}),
        },
        log,
      });
      console.log(
        `Arcade Arena listening on ${server.url} (data: ${server.config.dataDir}; API docs: ${server.url}/api/docs)`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          log('shutting down');
          void server.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
