import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EndMessage } from '../protocol/stream.ts';
import { InMemoryTransport } from './inMemoryTransport.ts';
import { hostPortRoom } from './portRooms.ts';
import { PortSink } from './portSink.ts';
import { type RoomOptions, StreamHub } from './streamHub.ts';

const W = 8;
const H = 4;
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 2000, interval: 5 });
const ROOM: RoomOptions = {
  roomId: 'remote-room',
  game: 'brick',
  kind: 'episode',
  players: [{ name: 'random', agentKind: 'random' }],
  actionNames: ['NOOP'],
  fps: 30,
  speed: 0,
  note: 'evaluation · episode 1 of 3',
};
const frame = (score: number) => ({
  pixels: new Uint8Array(W * H).fill(score),
  step: score,
  episodeFrame: score * 4,
  score,
  lives: 1,
  action: 'NOOP',
});

/** Ports left open would keep the test process alive. */
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const port of opened.splice(0)) port.close();
});

/** `port` with its `close` calls recorded: what hostPortRoom does to it is what is tested. */
function recorded(port: MessagePort) {
  let onClose: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    onClose = resolve;
  });
  const wrapped = {
    postMessage: (value: unknown) => port.postMessage(value),
    on: (event: 'message', listener: (value: unknown) => void) => port.on(event, listener),
    off: (event: 'message', listener: (value: unknown) => void) => port.off(event, listener),
    once: (event: 'close', listener: () => void) => port.once(event, listener),
    close: () => {
      onClose();
      port.close();
    },
  };
  return { wrapped, closed };
}

function setUp() {
  const transport = new InMemoryTransport();
  const hub = new StreamHub({ transport, width: W, height: H });
  const viewer = transport.connect();
  const { port1, port2 } = new MessageChannel();
  opened.push(port1, port2);
  const { wrapped, closed } = recorded(port2);
  const room = hostPortRoom(hub, ROOM, wrapped);
  return { hub, viewer, sink: new PortSink(port1), room, closed, port1 };
}

describe('hostPortRoom', () => {
  it('opens the room, carries frames and the end, and closes the port after the end', async () => {
    const { hub, viewer, sink, closed } = setUp();
    expect(hub.rooms().map((r) => r.note)).toEqual(['evaluation · episode 1 of 3']);
    viewer.send({ type: 'join', roomId: 'remote-room' });
    // The viewer count travels back with the answer to a frame.
    sink.publish(frame(2));
    await eventually(() => expect(sink.viewerCount).toBe(1));
    sink.publish(frame(3));
    await eventually(() => expect(viewer.ofType('frame').map((f) => f.score)).toEqual([2, 3]));
    sink.end({ reason: 'terminated', score: 3, frames: 12 });
    await closed;
    expect(viewer.ofType('end')[0]).toMatchObject({ reason: 'terminated', score: 3 });
    expect(hub.rooms()).toEqual([]);
  });

  it('ends the room with the last score when the runner side goes away', async () => {
    const { hub, viewer, sink, port1 } = setUp();
    viewer.send({ type: 'join', roomId: 'remote-room' });
    sink.publish(frame(5));
    await eventually(() => expect(viewer.ofType('frame')).toHaveLength(1));
    port1.close(); // as when the worker thread dies
    await eventually(() => expect(hub.rooms()).toEqual([]));
    const end = viewer.ofType('end')[0] as EndMessage;
    expect(end).toMatchObject({ reason: 'stopped', score: 5, frames: 20 });
  });

  it('tells the runner when the room was ended from this side, and closes the port', async () => {
    const { hub, sink, closed } = setUp();
    await hub.close();
    sink.publish(frame(1));
    await closed;
    await eventually(() => expect(sink.isEnded).toBe(true));
  });

  it('refuses a second room with the same id and closes its port', async () => {
    const { hub } = setUp();
    const { port1, port2 } = new MessageChannel();
    opened.push(port1);
    const { wrapped, closed } = recorded(port2);
    const lines: string[] = [];
    expect(hostPortRoom(hub, ROOM, wrapped, (l) => lines.push(l))).toBeNull();
    await closed;
    expect(lines[0]).toMatch(/already open/);
  });
});
