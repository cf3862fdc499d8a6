/**
 * A stand-in for the socket.io client socket in component tests: the test plays the server
 * (`open`, `deliver`) and reads what the page sent (`sent`). Only tests import it.
 */

import type { LiveSocket } from '../../client/src/live/liveConnection.ts';
import { LIVE_EVENT, type ServerMessage } from '../../server/protocol/live.ts';

export class FakeLiveSocket implements LiveSocket {
  connected = false;
  readonly sent: unknown[] = [];
  private readonly handlers = new Map<string, ((...args: unknown[]) => void)[]>();

  emit(event: string, ...args: unknown[]): this {
    if (event === LIVE_EVENT) this.sent.push(args[0]);
    return this;
  }

  on(event: string, listener: (...args: never[]) => void): this {
    const list = this.handlers.get(event) ?? [];
    list.push(listener as (...args: unknown[]) => void);
    this.handlers.set(event, list);
    return this;
  }

  /** The connection opens, as socket.io reports it. */
  open(): void {
    this.connected = true;
    this.fire('connect');
  }

  close(): void {
    this.connected = false;
    this.fire('disconnect');
  }

  /** A message from the server (unvalidated, as off the network). */
  deliver(message: ServerMessage | unknown): void {
    this.fire(LIVE_EVENT, message);
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const listener of this.handlers.get(event) ?? []) listener(...args);
  }
}
