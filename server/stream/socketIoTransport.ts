/**
 * The socket.io `StreamTransport`: the only server file that imports socket.io. One socket.io
 * room per live room (the channel), the socket id as viewer id, `LIVE_EVENT` both ways, inbound
 * messages validated with zod before the hub sees them.
 *
 * Back-pressure reads engine.io's per-connection write buffer: messages wait there while the
 * previous write to the connection has not completed, so its length grows only for a viewer whose
 * connection (or reading) is slow. Broadcasts go through `to(room).except(ids)`, which serialises
 * a message once for all its recipients.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Namespace, Server, type Socket } from 'socket.io';
import { formatZodError } from '../../emulators/errors.ts';
import type { ServerMessage } from '../protocol/stream.ts';
import { clientMessageSchema, LIVE_EVENT, LIVE_NAMESPACE } from '../protocol/stream.ts';
import type { StreamTransport, TransportHandlers, ViewerId } from './transport.ts';

/** engine.io keeps its queue private; this is the one field read, with a fallback if it moves. */
interface EngineConnection {
  writeBuffer?: unknown[];
  transport?: { writable?: boolean };
}

export class SocketIoTransport implements StreamTransport {
  private handlers: TransportHandlers | undefined;

  /** Serves live streaming on `namespace` (e.g. `io.of(LIVE_NAMESPACE)`) of a server you own. */
  constructor(readonly namespace: Namespace) {}

  listen(handlers: TransportHandlers): void {
    if (this.handlers) throw new Error('SocketIoTransport.listen: handlers are already set');
    this.handlers = handlers;
    this.namespace.on('connection', (socket: Socket) => {
      handlers.onConnect(socket.id);
      socket.on(LIVE_EVENT, (raw: unknown) => {
        const parsed = clientMessageSchema.safeParse(raw);
        if (!parsed.success) {
          socket.emit(LIVE_EVENT, {
            type: 'error',
            code: 'BAD_MESSAGE',
            message: formatZodError(parsed.error, 'message'),
          } satisfies ServerMessage);
          return;
        }
        handlers.onMessage(socket.id, parsed.data);
      });
      socket.on('disconnect', () => handlers.onDisconnect(socket.id));
    });
  }

  join(viewer: ViewerId, channel: string): void {
    void this.namespace.sockets.get(viewer)?.join(channel);
  }

  leave(viewer: ViewerId, channel: string): void {
    void this.namespace.sockets.get(viewer)?.leave(channel);
  }

  publish(channel: string, message: ServerMessage, except: readonly ViewerId[]): void {
    const target = this.namespace.to(channel);
    (except.length > 0 ? target.except(except as ViewerId[]) : target).emit(LIVE_EVENT, message);
  }

  send(viewer: ViewerId, message: ServerMessage): void {
    this.namespace.sockets.get(viewer)?.emit(LIVE_EVENT, message);
  }

  broadcast(message: ServerMessage): void {
    this.namespace.emit(LIVE_EVENT, message);
  }

  backlog(viewer: ViewerId): number {
    const socket = this.namespace.sockets.get(viewer);
    if (!socket) return 0;
    const conn = socket.conn as unknown as EngineConnection;
    if (Array.isArray(conn.writeBuffer)) return conn.writeBuffer.length;
    return conn.transport?.writable === false ? 1 : 0;
  }

  async close(): Promise<void> {
    this.namespace.disconnectSockets(true);
  }
}

export interface LiveServerOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /**
   * socket.io transports (default websocket only: with long-polling a viewer's backlog also
   * counts messages waiting for its next poll, which reads as congestion).
   */
  transports?: ('websocket' | 'polling')[];
}

export interface LiveServer {
  transport: SocketIoTransport;
  port: number;
  /** e.g. `http://127.0.0.1:34567/live`, for socket.io-client. */
  url: string;
  close(): Promise<void>;
}

/**
 * A stand-alone HTTP + socket.io server serving only live streaming, for tests and benchmarks
 * (the arena server instead builds `new SocketIoTransport(io.of(LIVE_NAMESPACE))` on its own).
 */
export async function listenLiveServer(options: LiveServerOptions = {}): Promise<LiveServer> {
  const http: HttpServer = createServer();
  const io = new Server(http, {
    transports: options.transports ?? ['websocket'],
    serveClient: false,
  });
  const transport = new SocketIoTransport(io.of(LIVE_NAMESPACE));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    transport,
    port,
    url: `http://${host}:${port}${LIVE_NAMESPACE}`,
    close: async () => {
      await transport.close();
      const closed = new Promise<void>((resolve) => io.close(() => resolve()));
      // A viewer that stopped reading would hold its connection open for ws's 30 s close timeout.
      http.closeAllConnections();
      await closed;
    },
  };
}
