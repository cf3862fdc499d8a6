/**
 * Live play on the arena's own HTTP server: the socket.io `/live` namespace, the stream hub, and
 * the always-on showcase — a real-time game that restarts when it ends, so the Live page is never
 * empty. The showcase plays the bundled scripted agents (Brick alone; Duel against the built-in
 * computer), one NES frame per 1/60 s: about 6% of one core per game on this machine, and it
 * yields to evaluations, which run on worker threads.
 */
import type { Server as HttpServer } from 'node:http';
import { Server as SocketIoServer } from 'socket.io';
import { makeBuiltinAgent } from '../agents/builtin.ts';
import { makeNesEnv } from '../emulators/index.ts';
import type { ArenaEvents } from './events/index.ts';
import { LIVE_NAMESPACE } from './protocol/stream.ts';
import { LeaderboardNotifier } from './stream/leaderboardNotifier.ts';
import { runRealtime } from './stream/realtimeRunner.ts';
import { SocketIoTransport } from './stream/socketIoTransport.ts';
import { StreamHub } from './stream/streamHub.ts';

export interface ShowcaseGame {
  game: string;
  agent: 'random' | 'scripted';
  /** Name shown for the built-in computer opponent in two-player games. */
  opponent?: string;
  settings?: Record<string, string>;
}

export const DEFAULT_SHOWCASE: ShowcaseGame[] = [
  { game: 'brick', agent: 'scripted' },
  {
    game: 'duel',
    agent: 'scripted',
    opponent: 'cpu',
    settings: { opponentLevel: 'normal' },
  },
];

export interface LiveService {
  hub: StreamHub;
  /** The server's socket.io instance: other namespaces (remote agents) share it. */
  io: SocketIoServer;
  close(): Promise<void>;
}

export function startLive(options: {
  httpServer: HttpServer;
  showcase?: ShowcaseGame[];
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
  const abort = new AbortController();
  const loops = (options.showcase ?? DEFAULT_SHOWCASE).map((show, index) =>
    runShowcase(hub, show, index, abort.signal).catch((error: Error) => {
      options.log?.(`showcase ${show.game} stopped: ${error.message}`);
    }),
  );
  return {
    hub,
    io,
    async close() {
      stopEvents?.();
      notifier.close();
      abort.abort();
      await Promise.allSettled(loops);
      await hub.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

async function runShowcase(
  hub: StreamHub,
  show: ShowcaseGame,
  index: number,
  signal: AbortSignal,
): Promise<void> {
  const env = makeNesEnv({ game: show.game, settings: show.settings });
  try {
    for (let round = 0; !signal.aborted; round++) {
      const seed = (index + 1) * 100_000 + round;
      const agent = makeBuiltinAgent(show.agent, {
        entry: env.entry,
        actions: env.actionSpace.names,
        seed,
        ram: () => env.machine.ram,
      });
      const players: { name: string; agentKind: string }[] = [
        { name: agent.name, agentKind: show.agent },
      ];
      if (show.opponent) players.push({ name: show.opponent, agentKind: 'builtin' });
      const room = hub.openRoom({
        roomId: `showcase-${show.game}-${round}`,
        game: show.game,
        kind: show.opponent ? 'match' : 'episode',
        players,
        actionNames: [...env.actionSpace.names],
        fps: 60,
        speed: 1,
      });
      await runRealtime({ env, agent, sink: room, seed, signal, opponentName: show.opponent });
    }
  } finally {
    env.close();
  }
}
