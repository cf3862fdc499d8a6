import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { LiveViewer } from '../protocol/liveViewer.ts';
import { InMemoryTransport } from './inMemoryTransport.ts';
import { PortSink, pipeToSink } from './portSink.ts';
import { StreamHub } from './streamHub.ts';

const W = 16;
const H = 8;
/** Port messages arrive asynchronously, in no fixed order relative to timers. */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 2000, interval: 5 });

describe('PortSink and pipeToSink', () => {
  it('carry frames, viewer counts and the end across a message port', async () => {
    const transport = new InMemoryTransport();
    const hub = new StreamHub({ transport, width: W, height: H });
    const room = hub.openRoom({
      roomId: 'worker-room',
      game: 'brick',
      kind: 'episode',
      players: [{ name: 'random', agentKind: 'random' }],
      actionNames: ['NOOP'],
      fps: 60,
      speed: 1,
    });
    const { port1, port2 } = new MessageChannel();
    const sink = new PortSink(port1);
    const stop = pipeToSink(port2, room);

    const connection = transport.connect();
    const decoded: number[] = [];
    const viewer = new LiveViewer({
      send: (m) => connection.send(m),
      onFrame: (f) => decoded.push(f.pixels[0]),
    });
    connection.listener = (m) => viewer.receive(m);
    viewer.join('worker-room');

    const pixels = new Uint8Array(W * H);
    for (let i = 0; i < 5; i++) {
      pixels.fill(i); // the same buffer every frame, as the runner reuses its buffers
      sink.publish({ pixels, step: i, episodeFrame: i, score: 0, lives: 0, action: 'NOOP' });
    }
    await eventually(() => expect(decoded).toEqual([0, 1, 2, 3, 4]));
    await eventually(() => expect(sink.viewerCount).toBe(1));

    room.end({ reason: 'stopped', score: 0, frames: 5 });
    sink.publish({ pixels, step: 5, episodeFrame: 5, score: 0, lives: 0, action: 'NOOP' });
    await eventually(() => expect(sink.isEnded).toBe(true));
    stop();
    port1.close();
  });
});
