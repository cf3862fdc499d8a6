/**
 * One agent's connection, whatever carries it: plain WebSocket (`ws`) or socket.io. The session
 * sees text frames (JSON), binary frames and a close with its cause; nothing else differs.
 */
import type { Socket } from 'socket.io';
import type { RawData, WebSocket } from 'ws';

export type TransportName = 'websocket' | 'socket.io';

/** Why a connection ended, as the session records it on an episode in progress. */
export interface CloseCause {
  /** True when the transport rejected what the agent sent (oversized or malformed frames). */
  protocolError: boolean;
  reason: string;
}

/** A message the transport delivered that the protocol has no place for. */
export interface Unexpected {
  unexpected: string;
}

export interface AgentConnection {
  readonly transport: TransportName;
  sendText(text: string): void;
  sendBinary(frame: Uint8Array): void;
  /** Stops reading what the agent sends (after a failure); sending still works. */
  pause(): void;
  /** Ends the connection; `graceful` lets queued messages (a final `error` or `done`) go out first. */
  close(reason: string, graceful: boolean): void;
  /** Text frames arrive as strings, binary frames as bytes, anything else as an `Unexpected`. */
  onMessage(handler: (data: string | Uint8Array | Unexpected) => void): void;
  onClose(handler: (cause: CloseCause) => void): void;
}

// A graceful close waits this long for the peer's close handshake before dropping the socket, so a
// client that never answers cannot hold it open (ws's own default is 30 s).
const CLOSE_GRACE_MS = 1_000;

export function wsConnection(ws: WebSocket): AgentConnection {
  let transportError: string | null = null;
  ws.on('error', (error: Error & { code?: string }) => {
    // ws reports oversized and malformed frames here, then closes with 1009 / 1002 / 1007.
    transportError =
      error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'message too large' : error.message;
  });
  return {
    transport: 'websocket',
    sendText(text) {
      if (ws.readyState === ws.OPEN) ws.send(text);
    },
    sendBinary(frame) {
      if (ws.readyState === ws.OPEN) ws.send(frame, { binary: true });
    },
    pause() {
      ws.pause();
    },
    close(reason, graceful) {
      if (!graceful) {
        ws.terminate();
        return;
      }
      // Close reasons are at most 123 bytes.
      ws.close(reason === 'done' ? 1000 : 1008, reason.slice(0, 100));
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    },
    onMessage(handler) {
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const bytes = Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.isBuffer(data)
            ? data
            : Buffer.from(data);
        handler(isBinary ? bytes : bytes.toString('utf8'));
      });
    },
    onClose(handler) {
      ws.on('close', (code: number) => {
        if (transportError) handler({ protocolError: true, reason: transportError });
        else handler({ protocolError: false, reason: `connection closed (code ${code})` });
      });
    },
  };
}

/** socket.io: messages travel as the `message` event (`socket.send`); any other event is an error. */
export function socketIoConnection(socket: Socket): AgentConnection {
  let messageHandler: (data: string | Uint8Array | Unexpected) => void = () => {};
  socket.onAny((event: string, ...args: unknown[]) => {
    const [data] = args;
    const single = event === 'message' && args.length === 1;
    if (single && (typeof data === 'string' || data instanceof Uint8Array)) messageHandler(data);
    else
      messageHandler({
        unexpected: `socket.io event '${event.slice(0, 40)}' with ${args.length} argument(s)`,
      });
  });
  return {
    transport: 'socket.io',
    sendText(text) {
      if (socket.connected) socket.send(text);
    },
    sendBinary(frame) {
      if (socket.connected) socket.send(frame);
    },
    pause() {
      // socket.io has no read pause; the session ignores what arrives after a failure.
    },
    close() {
      // engine.io flushes what is queued before it closes, so a final message still goes out.
      socket.disconnect(true);
    },
    onMessage(handler) {
      messageHandler = handler;
    },
    onClose(handler) {
      socket.on('disconnect', (reason: string) => {
        // 'parse error': the agent sent a packet socket.io could not decode (malformed or too large).
        handler({ protocolError: reason === 'parse error', reason: `disconnected (${reason})` });
      });
    },
  };
}
