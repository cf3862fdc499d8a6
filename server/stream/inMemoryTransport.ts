/**
 * A `StreamTransport` without a network, for tests of the hub: viewers are objects that collect
 * what they are sent, and a test sets a viewer's backlog to play a slow connection.
 */
import { type ClientMessage, clientMessageSchema, type ServerMessage } from '../protocol/stream.ts';
import type { StreamTransport, TransportHandlers, ViewerId } from './transport.ts';

export class InMemoryViewer {
  /** Everything sent to this viewer, oldest first. */
  readonly received: ServerMessage[] = [];
  /** What `backlog` reports for this viewer; a test raises it to simulate a slow connection. */
  backlog = 0;
  readonly channels = new Set<string>();
  /** Called with each message as it arrives (after it is added to `received`). */
  listener: ((message: ServerMessage) => void) | undefined;

  constructor(
    readonly id: ViewerId,
    private readonly transport: InMemoryTransport,
  ) {}

  deliver(message: ServerMessage): void {
    this.received.push(message);
    this.listener?.(message);
  }

  /** Sends a message as a client would (unvalidated, like anything off the network). */
  send(message: unknown): void {
    this.transport.receiveFrom(this.id, message);
  }

  /** Messages received of one type. */
  ofType<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  disconnect(): void {
    this.transport.disconnect(this.id);
  }
}

export class InMemoryTransport implements StreamTransport {
  private handlers: TransportHandlers | undefined;
  private readonly viewers = new Map<ViewerId, InMemoryViewer>();
  private nextId = 1;

  listen(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }

  /** A new viewer connection. */
  connect(): InMemoryViewer {
    const viewer = new InMemoryViewer(`viewer-${this.nextId++}`, this);
    this.viewers.set(viewer.id, viewer);
    this.handlers?.onConnect(viewer.id);
    return viewer;
  }

  /** A message from viewer `id`, validated as the socket.io transport does. */
  receiveFrom(id: ViewerId, message: unknown): void {
    const parsed = clientMessageSchema.safeParse(message);
    if (!parsed.success) {
      this.send(id, { type: 'error', code: 'BAD_MESSAGE', message: parsed.error.message });
      return;
    }
    this.handlers?.onMessage(id, parsed.data as ClientMessage);
  }

  disconnect(id: ViewerId): void {
    if (this.viewers.delete(id)) this.handlers?.onDisconnect(id);
  }

  join(viewer: ViewerId, channel: string): void {
    this.viewers.get(viewer)?.channels.add(channel);
  }

  leave(viewer: ViewerId, channel: string): void {
    this.viewers.get(viewer)?.channels.delete(channel);
  }

  publish(channel: string, message: ServerMessage, except: readonly ViewerId[]): void {
    const skip = new Set(except);
    for (const viewer of this.viewers.values()) {
      if (viewer.channels.has(channel) && !skip.has(viewer.id)) viewer.deliver(message);
    }
  }

  send(viewer: ViewerId, message: ServerMessage): void {
    this.viewers.get(viewer)?.deliver(message);
  }

  broadcast(message: ServerMessage): void {
    for (const viewer of this.viewers.values()) viewer.deliver(message);
  }

  backlog(viewer: ViewerId): number {
    return this.viewers.get(viewer)?.backlog ?? 0;
  }

  async close(): Promise<void> {
    for (const id of [...this.viewers.keys()]) this.disconnect(id);
  }
}
