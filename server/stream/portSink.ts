/**
 * A live room across a thread or process boundary: a runner in a worker publishes to a `PortSink`,
 * and `pipeToSink` on the main thread feeds the real room. Emulation then runs beside the event
 * loop that serves viewers instead of on it (evaluation workers, a busy showcase).
 *
 * Frames are copied by `postMessage` (structured clone) at publish time, so the runner may reuse
 * its buffers at once. The main side reports the room's viewer count and whether it ended back to
 * the worker when they change, so `viewerCount` and `isEnded` lag by one message.
 */
import type { FrameSink, LiveFrame, RoomResult } from './liveRoom.ts';

/** The part of a `MessagePort`, `Worker` or `parentPort` used here. */
export interface PortLike {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

/** A port the main side closes once its room ended (a `MessagePort`). */
export interface ClosablePort extends PortLike {
  close(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** Worker -> main. */
export type SinkMessage =
  | { kind: 'liveFrame'; frame: LiveFrame }
  | { kind: 'liveEnd'; result: RoomResult };
/** Main -> worker. */
export interface SinkState {
  kind: 'liveSinkState';
  viewerCount: number;
  ended: boolean;
}

/** The worker's side: a `FrameSink` that forwards to the main thread. */
export class PortSink implements FrameSink {
  private viewers = 0;
  private ended = false;
  private readonly onState = (value: unknown) => {
    const state = value as Partial<SinkState>;
    if (state?.kind !== 'liveSinkState') return;
    this.viewers = state.viewerCount ?? 0;
    this.ended = state.ended === true;
  };

  constructor(private readonly port: PortLike) {
    port.on('message', this.onState);
  }

  get viewerCount(): number {
    return this.viewers;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  publish(frame: LiveFrame): void {
    if (!this.ended) this.port.postMessage({ kind: 'liveFrame', frame } satisfies SinkMessage);
  }

  end(result: RoomResult): void {
    if (this.ended) return;
    this.ended = true;
    this.port.postMessage({ kind: 'liveEnd', result } satisfies SinkMessage);
    this.port.off('message', this.onState);
  }
}

/**
 * The main thread's side: publishes what arrives on `port` to `sink` (a `LiveRoom`) and tells the
 * worker when the viewer count changes or the sink ends. Returns a function that stops piping.
 */
export function pipeToSink(port: PortLike, sink: FrameSink): () => void {
  let reported = { viewerCount: -1, ended: false };
  const report = () => {
    if (reported.viewerCount === sink.viewerCount && reported.ended === sink.isEnded) return;
    reported = { viewerCount: sink.viewerCount, ended: sink.isEnded };
    port.postMessage({ kind: 'liveSinkState', ...reported } satisfies SinkState);
  };
  const listener = (value: unknown) => {
    const message = value as Partial<SinkMessage>;
    if (message?.kind === 'liveFrame' && message.frame) {
      // Structured clone hands over a plain Uint8Array: exactly what `publish` reads.
      sink.publish(message.frame);
      report();
    } else if (message?.kind === 'liveEnd' && message.result) {
      sink.end(message.result);
      report();
    }
  };
  port.on('message', listener);
  report();
  return () => port.off('message', listener);
}
