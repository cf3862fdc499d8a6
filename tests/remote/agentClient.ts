/**
 * A scriptable remote agent for the tests, over plain WebSocket (`ws`) or socket.io: it queues
 * every server message (JSON validated by the protocol's schemas, observations decoded) and
 * reports how the connection closed, so a test can play well or misbehave on purpose.
 */
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import {
  type DecodedObservation,
  decodeObservation,
  PROTOCOL_VERSION,
  type ServerMessage,
  SOCKET_IO_NAMESPACE,
  serverMessage,
  WS_PATH,
} from '../../server/remote/protocol.ts';

export type Observation = DecodedObservation & { receivedAt: number };
export type Incoming = ServerMessage | ({ type: 'observation' } & Observation);

export interface Closed {
  code: number | string;
  reason: string;
}

export class TestAgent {
  private readonly queue: Incoming[] = [];
  private waiting: ((m: Incoming | null) => void) | null = null;
  private closedWith: Closed | null = null;
  readonly closed: Promise<Closed>;
  private resolveClosed!: (c: Closed) => void;

  private constructor(
    private readonly sendRaw: (data: string | Uint8Array) => void,
    readonly raw: WebSocket | Socket,
  ) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  static async websocket(url: string): Promise<TestAgent> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${WS_PATH}`);
    const agent = new TestAgent((data) => ws.send(data), ws);
    ws.on('message', (data: Buffer, isBinary: boolean) =>
      agent.receive(isBinary ? new Uint8Array(data) : data.toString('utf8')),
    );
    ws.on('close', (code, reason) => agent.close({ code, reason: reason.toString() }));
    ws.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return agent;
  }

  static async socketIo(url: string): Promise<TestAgent> {
    const socket = io(`${url}${SOCKET_IO_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
    });
    const agent = new TestAgent((data) => socket.send(data), socket);
    socket.on('message', (data: string | Uint8Array) =>
      agent.receive(typeof data === 'string' ? data : new Uint8Array(data)),
    );
    socket.on('disconnect', (reason) => agent.close({ code: 'disconnect', reason }));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return agent;
  }

  send(data: string | Uint8Array): void {
    this.sendRaw(data);
  }

  sendJson(message: object): void {
    this.sendRaw(JSON.stringify(message));
  }

  hello(token: string, fields: Record<string, unknown> = {}): void {
    this.sendJson({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      token,
      agent: 'test-agent',
      game: 'brick',
      ...fields,
    });
  }

  act(step: number, action: number): void {
    this.sendJson({ type: 'action', step, action });
  }

  /** The next message, or null once the connection has closed and nothing is left. */
  next(timeoutMs = 120_000): Promise<Incoming | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closedWith) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
    });
  }

  /** Skips messages until one of `type` (throws if the connection closes first). */
  async expect<T extends Incoming['type']>(
    type: T,
    timeoutMs?: number,
  ): Promise<Extract<Incoming, { type: T }>> {
    for (;;) {
      const m = await this.next(timeoutMs);
      if (!m) throw new Error(`closed (${JSON.stringify(this.closedWith)}) before a ${type}`);
      if (m.type === type) return m as Extract<Incoming, { type: T }>;
    }
  }

  /** Plays until `done`, `error` or the close: answers every observation with `policy`. */
  async play(
    policy: (o: Observation) => number = (o) => (o.step % 10 === 0 ? 1 : 0),
    opts: { delayMs?: (o: Observation) => number } = {},
  ): Promise<{ messages: Incoming[]; observations: number; maxGapMs: number }> {
    const messages: Incoming[] = [];
    let observations = 0;
    let maxGapMs = 0;
    let last = 0;
    for (;;) {
      const m = await this.next();
      if (!m) break;
      if (m.type !== 'observation') {
        messages.push(m);
        if (m.type === 'done' || m.type === 'error') break;
        continue;
      }
      observations++;
      if (last > 0) maxGapMs = Math.max(maxGapMs, m.receivedAt - last);
      last = m.receivedAt;
      const delay = opts.delayMs?.(m) ?? 0;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      this.act(m.step, policy(m));
    }
    return { messages, observations, maxGapMs };
  }

  disconnect(): void {
    if (this.raw instanceof WebSocket) this.raw.terminate();
    else this.raw.disconnect();
  }

  private receive(data: string | Uint8Array): void {
    let message: Incoming;
    if (typeof data === 'string') message = serverMessage.parse(JSON.parse(data));
    else
      message = { type: 'observation', ...decodeObservation(data), receivedAt: performance.now() };
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(message);
    } else this.queue.push(message);
  }

  private close(c: Closed): void {
    if (this.closedWith) return;
    this.closedWith = c;
    this.resolveClosed(c);
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(null);
    }
  }
}
