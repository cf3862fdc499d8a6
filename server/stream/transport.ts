/**
 * What the stream hub needs from a network, after boardgame.io's small pub/sub contract: channels
 * (one per live room) that viewers join, sends that never wait, and a measure of how far behind a
 * viewer's connection is. `socketIoTransport.ts` is the real one (the only file importing
 * socket.io on the server); `inMemoryTransport.ts` serves tests.
 */
import type { ClientMessage, ServerMessage } from '../protocol/stream.ts';

/** A connected viewer, as the transport names it (socket.io: the socket id). */
export type ViewerId = string;

export interface TransportHandlers {
  onConnect(viewer: ViewerId): void;
  /** Called only with messages that passed `clientMessageSchema`. */
  onMessage(viewer: ViewerId, message: ClientMessage): void;
  onDisconnect(viewer: ViewerId): void;
}

export interface StreamTransport {
  /** Registers the one set of handlers (the hub's); connections before this are not reported. */
  listen(handlers: TransportHandlers): void;
  join(viewer: ViewerId, channel: string): void;
  leave(viewer: ViewerId, channel: string): void;
  /**
   * Sends `message` to every member of `channel` but those in `except`, serialising it once.
   * Returns at once: delivery happens later or, if the viewer disconnects, never.
   */
  publish(channel: string, message: ServerMessage, except: readonly ViewerId[]): void;
  /** Sends to one viewer; returns at once. */
  send(viewer: ViewerId, message: ServerMessage): void;
  /** Sends to every connected viewer. */
  broadcast(message: ServerMessage): void;
  /**
   * Messages accepted for `viewer` but not yet handed to its connection (0 when the connection
   * keeps up). A viewer whose network or reading is slow shows a growing backlog.
   */
  backlog(viewer: ViewerId): number;
  /** Disconnects every viewer and stops accepting new ones. */
  close(): Promise<void>;
}
