/**
 * The remote-agent endpoint on the arena's HTTP server: plain WebSocket at `WS_PATH` and the
 * socket.io namespace `SOCKET_IO_NAMESPACE`, both feeding `AgentSession`s. It owns the game
 * workers (`EnvHost`), the episode slots, the Duel lobby, the session caps and the figures the
 * benchmark reads. Each session is independent: one agent's misbehaviour ends only its own.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import type { EvalConditions } from '../../agents/evaluation/conditions.ts';
import type { Storage } from '../storage/base.ts';
import { socketIoConnection, wsConnection } from './connection.ts';
import { DuelLobby } from './duelPlayer.ts';
import { EnvHost } from './envHost.ts';
import { EpisodeSlots, runEpisodes } from './episodes.ts';
import { type RemoteOptions, resolveRemoteOptions } from './options.ts';
import { SOCKET_IO_NAMESPACE, WS_PATH } from './protocol.ts';
import { AgentSession, type SessionContext } from './session.ts';

export interface RemoteAgentsOptions {
  httpServer: HttpServer;
  /** The server's socket.io instance; the agents get their own namespace on it. */
  io: SocketIoServer;
  storage: Storage;
  /** Server secret the episode seeds derive from (as for evaluations). */
  secret: Uint8Array;
  conditions: EvalConditions;
  options?: Partial<RemoteOptions>;
  log?: (line: string) => void;
}

/** What the service has done since it started (benchmarks, health). */
export interface RemoteFigures {
  sessions: number;
  replies: number;
  /** Observation sent → action received, ms, over the most recent replies (up to 100,000). */
  replyMsP50: number | null;
  replyMsP99: number | null;
  /** Emulator frames played for remote agents. */
  frames: number;
}

export interface RemoteAgentService {
  lobby: DuelLobby;
  options: RemoteOptions;
  figures(): RemoteFigures;
  /** Starts the figures afresh (a benchmark's measured window). */
  resetFigures(): void;
  close(): Promise<void>;
}

const LATENCY_WINDOW = 100_000;
// WebSocket clients that stop answering pings (a dead network path) are dropped after this long;
// socket.io runs its own heartbeat.
const WS_PING_MS = 30_000;

export function startRemoteAgents(opts: RemoteAgentsOptions): RemoteAgentService {
  const options = resolveRemoteOptions(opts.options);
  const log = opts.log ?? (() => {});
  const host = new EnvHost({ workers: options.envWorkers, nice: options.envWorkerNice });
  const slots = new EpisodeSlots(opts.storage, opts.secret, opts.conditions.episodes);
  const lobby = new DuelLobby();
  const sessions = new Set<AgentSession>();
  const perOwner = new Map<number, number>();
  const admitted = new Set<AgentSession>();
  const latencies = new Float64Array(LATENCY_WINDOW);
  let replies = 0;
  let frames = 0;
  let closing = false;

  const ctx: SessionContext = {
    storage: opts.storage,
    options,
    admit(session) {
      const ownerId = session.owner!.id;
      if (admitted.size >= options.maxSessions)
        return `the arena has ${options.maxSessions} agents connected; try again later`;
      const mine = perOwner.get(ownerId) ?? 0;
      if (mine >= options.maxSessionsPerOwner)
        return `this owner has ${options.maxSessionsPerOwner} agents connected already`;
      perOwner.set(ownerId, mine + 1);
      admitted.add(session);
      return null;
    },
    play(session) {
      if (session.mode === 'match') {
        lobby.join(session);
        return;
      }
      void runEpisodes(session, {
        storage: opts.storage,
        host,
        slots,
        conditions: opts.conditions,
        countFrames: (n) => {
          frames += n;
        },
        log,
      });
    },
    ended(session) {
      sessions.delete(session);
      lobby.leave(session);
      if (admitted.delete(session)) {
        const ownerId = session.owner!.id;
        const left = (perOwner.get(ownerId) ?? 1) - 1;
        if (left > 0) perOwner.set(ownerId, left);
        else perOwner.delete(ownerId);
      }
    },
    replied(elapsedMs) {
      latencies[replies % LATENCY_WINDOW] = elapsedMs;
      replies++;
    },
    freeSlots: (versionId) => slots.free(versionId),
  };

  const accept = (session: AgentSession) => {
    sessions.add(session);
    if (closing) session.end({ code: 'SERVER_CLOSING', message: 'the arena is shutting down' });
  };

  // Plain WebSocket: upgrades on WS_PATH only; other upgrade requests belong to socket.io.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    // Agents exchange small JSON and pixel frames on loopback or a LAN; compression would cost
    // more CPU than it saves and is an attack surface (zip bombs).
    perMessageDeflate: false,
  });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== WS_PATH) return;
    wss.handleUpgrade(request, socket, head, (ws) => {
      const alive = { value: true };
      ws.on('pong', () => {
        alive.value = true;
      });
      const ping = setInterval(() => {
        if (!alive.value) {
          ws.terminate();
          return;
        }
        alive.value = false;
        ws.ping();
      }, WS_PING_MS);
      ping.unref();
      ws.on('close', () => clearInterval(ping));
      accept(new AgentSession(wsConnection(ws), ctx));
    });
  };
  opts.httpServer.on('upgrade', onUpgrade);

  const namespace = opts.io.of(SOCKET_IO_NAMESPACE);
  namespace.on('connection', (socket) => accept(new AgentSession(socketIoConnection(socket), ctx)));

  return {
    lobby,
    options,
    figures() {
      const n = Math.min(replies, LATENCY_WINDOW);
      const sorted = latencies.slice(0, n).sort();
      const at = (q: number) => (n === 0 ? null : sorted[Math.min(n - 1, Math.floor(q * n))]);
      return {
        sessions: sessions.size,
        replies,
        replyMsP50: at(0.5),
        replyMsP99: at(0.99),
        frames,
      };
    },
    resetFigures() {
      replies = 0;
      frames = 0;
    },
    async close() {
      closing = true;
      opts.httpServer.off('upgrade', onUpgrade);
      for (const session of [...sessions])
        session.end({ code: 'SERVER_CLOSING', message: 'the arena is shutting down' });
      namespace.disconnectSockets(true);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await host.close();
    },
  };
}
