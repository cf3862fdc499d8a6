/**
 * The arena server: the HTTP app (`createApp`) and the whole process (`startServer`: store, queue,
 * evaluation pool and evaluator, seeding, listening). Only this file wires concrete
 * implementations together; everything it wires depends on interfaces.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { UserError } from '../emulators/errors.ts';
import type { ApiContext } from './api/context.ts';
import { errorHandler, notFoundHandler } from './api/errors.ts';
import { createApiRouter } from './api/index.ts';
import {
  loadOrCreateSecret,
  resolveConfig,
  type ServerConfig,
  type ServerConfigInput,
} from './config.ts';
import { Evaluator, evalJobPayloadSchema } from './eval/evaluator.ts';
import type { EpisodeExecutor } from './eval/executor.ts';
import { ArenaEvents } from './events/index.ts';
import { EVALUATION_STREAM_FPS, type LiveService, startLive } from './live.ts';
import { RatingsKeeper } from './matches/ratings.ts';
import { ensureReferencePlayers, twoPlayerGames } from './matches/referencePlayers.ts';
import { MatchReplayRooms } from './matches/replayRooms.ts';
import { MatchScheduler } from './matches/scheduler.ts';
import { startLeaseReaper } from './queue/jobQueue.ts';
import { SqliteJobQueue } from './queue/sqliteJobQueue.ts';
import { type RemoteAgentService, startRemoteAgents } from './remote/service.ts';
import { ensureEvaluations, seedStore } from './seed/index.ts';
import { lockDataFolder } from './storage/dataLock.ts';
import { SqliteStorage } from './storage/sqlite.ts';
import { WorkerPool } from './workers/pool.ts';

/** The built dashboard (`npm run build:client`), served at `/` when present. */
export const CLIENT_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'client', 'dist');

export function createApp(ctx: ApiContext, options: { clientDir?: string } = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy, `req.ip` (rate limits, logs) is the client's address only when the
  // proxy is trusted; by default nobody is, and X-Forwarded-For is ignored.
  app.set('trust proxy', ctx.config.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // vega compiles chart expressions at run time; the live stream is a websocket.
          'script-src': ["'self'", "'unsafe-eval'"],
          'connect-src': ["'self'", 'ws:', 'wss:'],
          'img-src': ["'self'", 'data:', 'blob:'],
          // Served over plain HTTP on a LAN as often as behind TLS.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  app.use('/api', createApiRouter(ctx));
  const clientDir = options.clientDir ?? CLIENT_DIST;
  if (existsSync(join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: 'index.html', maxAge: '1h' }));
    // The dashboard routes on the client: every other GET gets its page.
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
      res.sendFile(join(clientDir, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.redirect('/api/docs');
    });
  }
  app.use(notFoundHandler);
  app.use(errorHandler(ctx.log));
  return app;
}

export interface RunningServer {
  url: string;
  port: number;
  config: ServerConfig;
  storage: SqliteStorage;
  executor: EpisodeExecutor;
  evaluator: Evaluator;
  /** Keeps Duel pairings playing on the pool (null with `matches: false`). */
  matches: MatchScheduler | null;
  ratings: RatingsKeeper;
  /** Remote agents' endpoint (`/ws/agent`, socket.io `/agents`) and its Duel lobby. */
  remote: RemoteAgentService;
  close(): Promise<void>;
}

/** A clear message for the bind failures a user can fix (port taken or privileged, no such host). */
function listenError(error: unknown, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new UserError(
      `port ${port} on ${host} is already in use (another arena or program is listening there): stop it, or start with --port N (or PORT=N)`,
      'PORT_IN_USE',
    );
  }
  if (code === 'EACCES') {
    return new UserError(
      `not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges): pick another with --port N`,
      'PORT_NOT_ALLOWED',
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new UserError(`cannot listen on ${host}: no such address on this machine`, 'BAD_HOST');
  }
  return error as Error;
}

export async function startServer(input: ServerConfigInput = {}): Promise<RunningServer> {
  const config = resolveConfig(input);
  // The port is claimed before the data folder is touched: a second `arena serve` on a busy port
  // must fail before it opens the store (it would re-queue the running server's jobs as
  // interrupted). Requests that arrive while the rest starts get a 503 to retry.
  const answerStarting = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('starting');
  };
  const server = createHttpServer(answerStarting);
  try {
    await new Promise<void>((resolve, reject) => {
      // Express's listen() leaves a failed bind to the process's uncaught 'error' (a stack trace
      // and a crash); listening on the http server directly lets the failure be reported.
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw listenError(error, config.host, config.port);
  }
  // What start-up has opened so far, closed in reverse order if a later step fails (e.g. a damaged
  // store), so that a failed start leaves no port, lock, store or worker thread behind.
  const opened: Array<() => unknown> = [() => server.close()];
  try {
    return await startServices(config, server, opened);
  } catch (error) {
    for (const close of opened.reverse()) {
      try {
        await close();
      } catch {
        // The start-up error is the one to report.
      }
    }
    throw error;
  }
}

/** Everything behind the claimed port: store, queue, workers, evaluator, live stream, matches. */
async function startServices(
  config: ServerConfig,
  server: HttpServer,
  opened: Array<() => unknown>,
): Promise<RunningServer> {
  const log = config.log ?? (() => {});
  mkdirSync(config.dataDir, { recursive: true });
  // One server per data folder, taken before anything in it is read or changed.
  const lock = lockDataFolder(config.dataDir);
  opened.push(() => lock.release());
  mkdirSync(join(config.dataDir, 'agents'), { recursive: true });
  // Leftovers of uploads cut short by a crash: never referenced by any row.
  rmSync(join(config.dataDir, 'tmp'), { recursive: true, force: true });
  const secret = loadOrCreateSecret(config.dataDir);
  const storage = new SqliteStorage({ path: join(config.dataDir, 'arena.sqlite') });
  opened.push(() => storage.close());
  const queue = new SqliteJobQueue({ db: storage.db, payloadSchema: evalJobPayloadSchema });
  const requeued = await queue.requeueRunning();
  if (requeued > 0) log(`re-queued ${requeued} evaluation job(s) interrupted by the last shutdown`);
  if (config.seed) {
    await seedStore({
      storage,
      queue,
      dataDir: config.dataDir,
      bundledDir: config.bundledDir,
      log,
    });
  }
  ensureReferencePlayers(storage, log);
  const missing = await ensureEvaluations({ storage, queue, episodes: config.conditions.episodes });
  if (missing > 0) log(`queued ${missing} evaluation(s) for versions with missing episodes`);

  const events = new ArenaEvents((e) => log(`event listener: ${(e as Error).message}`));
  const executor = new WorkerPool({ size: config.workers });
  const evaluator = new Evaluator({
    storage,
    queue,
    executor,
    secret,
    dataDir: config.dataDir,
    conditions: config.conditions,
    events,
    // Running evaluations are watchable on the live stream (rooms come and go with them).
    spectators: {
      maxFps: EVALUATION_STREAM_FPS,
      host: (room, port) => live.hostEvaluationRoom(room, port),
    },
    log,
  });
  // As close() does: the workers first, then the jobs they cut short (they stay queued).
  opened.push(async () => {
    await executor.close();
    await evaluator.drain();
  });
  const stopReaper = startLeaseReaper(queue, {
    intervalMs: 30_000,
    onError: (e) => log(`lease reaper: ${(e as Error).message}`),
  });
  opened.push(stopReaper);
  const ctx: ApiContext = {
    storage,
    queue,
    config,
    workers: executor.size,
    events,
    log,
  };
  const app = createApp(ctx);
  // The API replaces the start-up 503 answer (the only request listener so far).
  server.removeAllListeners('request');
  server.on('request', app);
  // Idle keep-alive connections stay open longer than clients' pools keep them (undici: 4 s idle,
  // Node's default server timeout: 5 s), so a client never reuses a socket the server is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const ratings = new RatingsKeeper({ storage, log });
  opened.push(() => ratings.close());
  for (const entry of twoPlayerGames(storage)) ratings.ensureFinal(entry.id);
  const live: LiveService = startLive({
    httpServer: server,
    showcase: config.showcase ? undefined : [],
    bundledDir: config.bundledDir,
    events,
    maxMessageBytes: config.remote.maxMessageBytes,
    log,
  });
  opened.push(() => live.close());
  // After the live stream exists: evaluations open their rooms there.
  evaluator.start();
  opened.push(() => evaluator.stop());
  const remote = startRemoteAgents({
    httpServer: server,
    io: live.io,
    storage,
    secret,
    conditions: config.conditions,
    options: config.remote,
    log,
  });
  // Remote agents waiting in the Duel lobby are paired with the rest.
  const matches = config.matches
    ? new MatchScheduler({
        storage,
        executor,
        ratings,
        secret,
        dataDir: config.dataDir,
        conditions: config.conditions,
        lobby: remote.lobby,
        events,
        log,
      })
    : null;
  matches?.start();
  const replays = new MatchReplayRooms({ hub: live.hub, storage, log });
  ctx.matchReplays = replays;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    config,
    storage,
    executor,
    evaluator,
    matches,
    ratings,
    remote,
    close() {
      closing ??= (async () => {
        evaluator.stop();
        matches?.stop();
        replays.close();
        stopReaper();
        await remote.close();
        await live.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await executor.close();
        // Jobs cut short here stay 'running' and go back to the queue on the next start.
        await evaluator.drain();
        await matches?.drain();
        ratings.close();
        storage.close();
        lock.release();
      })();
      return closing;
    },
  };
}
