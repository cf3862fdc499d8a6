/**
 * Live play on the arena's own HTTP server: the socket.io `/live` namespace, the stream hub, the
 * always-on showcase — a real-time game that restarts when it ends, so the Live page is never
 * empty — and the rooms of running evaluations. The showcase plays each bundled game's trained
 * agent when `agents/bundled/` has one (DQN: its Q-values go with the frames), else the scripted
 * agent (two-player games against the built-in computer), one NES frame per 1/60 s, in a worker
 * thread (`stream/showcase.ts`): this thread only encodes and sends frames. Evaluations run on
 * the evaluation workers; their rooms come here through message ports (`hostEvaluationRoom`).
 */
import type { Server as HttpServer } from 'node:http';
import { Server as SocketIoServer } from 'socket.io';
import { readAgentMeta } from '../agents/format/index.ts';
import { scriptedAgents } from '../agents/scripted/index.ts';
import { loadManifest } from '../emulators/manifest/index.ts';
import type { ArenaEvents } from './events/index.ts';
import { LIVE_NAMESPACE } from './protocol/stream.ts';
import { agentFolders, BUNDLED_AGENTS_DIR } from './seed/index.ts';
import { LeaderboardNotifier } from './stream/leaderboardNotifier.ts';
import { hostPortRoom } from './stream/portRooms.ts';
import type { ClosablePort } from './stream/portSink.ts';
import { type ShowcaseGame, type ShowcaseHost, startShowcase } from './stream/showcase.ts';
import { SocketIoTransport } from './stream/socketIoTransport.ts';
import { type RoomOptions, StreamHub } from './stream/streamHub.ts';

export type { ShowcaseGame } from './stream/showcase.ts';

/** Frames a second an evaluation's room sends its viewers, sampled from a faster-than-real-time run. */
export const EVALUATION_STREAM_FPS = 30;

/**
 * The showcase: every game of the manifest whose ROM is bundled, each played by the game's
 * trained agent under `bundledDir` when there is one (the game's scripted agent, or random, if
 * it fails to load), else by the scripted agent, else by random. A two-player game's second
 * controller is its built-in computer at the manifest's default level.
 */
export function defaultShowcase(bundledDir = BUNDLED_AGENTS_DIR): ShowcaseGame[] {
  const folders = agentFolders(bundledDir).map((dir) => ({ dir, game: declaredGame(dir) }));
  return loadManifest()
    .filter((entry) => entry.bundledRom)
    .map((entry) => {
      const builtin = scriptedAgents[entry.id] ? 'scripted' : 'random';
      const modelDir = folders.find((f) => f.game === entry.id)?.dir;
      const player: Pick<ShowcaseGame, 'agent' | 'modelDir' | 'fallbackAgent'> = modelDir
        ? { agent: 'model', modelDir, fallbackAgent: builtin }
        : { agent: builtin };
      const level = entry.settings.opponentLevel?.default;
      if (entry.players !== 2 || !level) return { game: entry.id, ...player };
      return { game: entry.id, ...player, opponent: 'cpu', settings: { opponentLevel: level } };
    });
}

/** agent.json's `game`, or undefined when the folder is not a valid agent (it is then not used). */
function declaredGame(dir: string): string | undefined {
  try {
    return readAgentMeta(dir).game;
  } catch {
    return undefined;
  }
}

export interface LiveService {
  hub: StreamHub;
  /** The showcase's worker thread. */
  showcase: ShowcaseHost;
  /** Opens a running evaluation's room, fed from `port` (see `eval/spectate.ts`). */
  hostEvaluationRoom(room: RoomOptions, port: ClosablePort): void;
  /** The server's socket.io instance: other namespaces (remote agents) share it. */
  io: SocketIoServer;
  close(): Promise<void>;
}

export function startLive(options: {
  httpServer: HttpServer;
  /** The showcase games; default `defaultShowcase(bundledDir)`. */
  showcase?: ShowcaseGame[];
  /** Where the default showcase looks for trained agents (default `agents/bundled/`). */
  bundledDir?: string;
  /** Leaderboard changes to pass on to every viewer (coalesced, about one message a second per game). */
  events?: ArenaEvents;
  /** Largest message a socket.io client may send, bytes (socket.io's default is 1 MB). */
  maxMessageBytes?: number;
  log?: (line: string) => void;
}): LiveService {
  const io = new SocketIoServer(options.httpServer, {
    transports: ['websocket'],
    serveClient: false,
    ...(options.maxMessageBytes ? { maxHttpBufferSize: options.maxMessageBytes } : {}),
  });
  const hub = new StreamHub({ transport: new SocketIoTransport(io.of(LIVE_NAMESPACE)) });
  const notifier = new LeaderboardNotifier(hub.transport);
  const stopEvents = options.events?.onLeaderboardChanged((change) => notifier.notify(change));
  const showcase = startShowcase({
    hub,
    games: options.showcase ?? defaultShowcase(options.bundledDir),
    log: options.log,
  });
  return {
    hub,
    showcase,
    hostEvaluationRoom(room, port) {
      hostPortRoom(hub, room, port, options.log);
    },
    io,
    async close() {
      stopEvents?.();
      notifier.close();
      await showcase.close();
      await hub.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
