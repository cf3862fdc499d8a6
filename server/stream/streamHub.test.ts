import { describe, expect, it } from 'vitest';
import { Rng } from '../../emulators/rng.ts';
import { FrameDecoder, readFrameHeader } from '../protocol/frameCodec.ts';
import { LiveViewer, type ViewerFrame } from '../protocol/liveViewer.ts';
import { ACK_EVERY_FRAMES, type FrameMessage, type RoomOptions } from './index.ts';
import { InMemoryTransport, type InMemoryViewer } from './inMemoryTransport.ts';
import { type LiveFrame, StreamHub } from './streamHub.ts';

const W = 64;
const H = 48;

const roomOptions = (roomId = 'brick-1'): RoomOptions => ({
  roomId,
  game: 'brick',
  kind: 'episode',
  players: [{ name: 'random', agentKind: 'random' }],
  actionNames: ['NOOP', 'FIRE', 'LEFT', 'RIGHT'],
  fps: 60,
  speed: 1,
});

/** A small screen with a block that moves and a few random pixels, frame after frame. */
function makeFrames(count: number, seed = 1): Uint8Array[] {
  const rng = new Rng(seed);
  const frames: Uint8Array[] = [];
  let frame = new Uint8Array(W * H).fill(0x0f);
  for (let i = 0; i < count; i++) {
    frame = frame.slice();
    const x = i % (W - 4);
    for (let y = 10; y < 14; y++) frame.fill(0x30, y * W + x, y * W + x + 4);
    for (let k = 0; k < 5; k++) frame[rng.int(frame.length)] = rng.int(64);
    frames.push(frame);
  }
  return frames;
}

const liveFrame = (pixels: Uint8Array, step: number): LiveFrame => ({
  pixels,
  step,
  episodeFrame: step,
  score: step * 10,
  lives: 3,
  action: 'FIRE',
});

function setup(options: { keyFrameInterval?: number; maxUnackedFrames?: number } = {}) {
  const transport = new InMemoryTransport();
  const hub = new StreamHub({ transport, width: W, height: H, ...options });
  return { transport, hub };
}

/** A LiveViewer on an in-memory connection, recording the frames it decodes. */
function watch(transport: InMemoryTransport) {
  const connection = transport.connect();
  const decoded: { frameNumber: number; key: boolean; pixels: Uint8Array; step: number }[] = [];
  const viewer = new LiveViewer({
    send: (message) => connection.send(message),
    onFrame: (frame: ViewerFrame) =>
      decoded.push({
        frameNumber: frame.frameNumber,
        key: frame.key,
        pixels: frame.pixels.slice(),
        step: frame.message.step,
      }),
  });
  connection.listener = (message) => viewer.receive(message);
  return { connection, viewer, decoded };
}

const frameMessages = (viewer: InMemoryViewer): FrameMessage[] => viewer.ofType('frame');

describe('StreamHub', () => {
  it('lists rooms on connect and whenever one opens or ends', () => {
    const { transport, hub } = setup();
    const viewer = transport.connect();
    expect(viewer.ofType('rooms').at(-1)?.rooms).toEqual([]);
    const room = hub.openRoom(roomOptions());
    expect(
      viewer
        .ofType('rooms')
        .at(-1)
        ?.rooms.map((r) => r.roomId),
    ).toEqual(['brick-1']);
    viewer.send({ type: 'join', roomId: 'brick-1' });
    room.end({ reason: 'terminated', score: 42, frames: 0, nextRoomId: 'brick-2' });
    expect(viewer.ofType('end')).toEqual([
      {
        type: 'end',
        roomId: 'brick-1',
        reason: 'terminated',
        score: 42,
        frames: 0,
        nextRoomId: 'brick-2',
      },
    ]);
    expect(viewer.ofType('rooms').at(-1)?.rooms).toEqual([]);
    expect(hub.room('brick-1')).toBeUndefined();
  });

  it('answers bad messages and unknown rooms with errors', () => {
    const { transport } = setup();
    const viewer = transport.connect();
    viewer.send({ type: 'join' });
    viewer.send({ type: 'join', roomId: 'nope' });
    viewer.send({ type: 'ack', roomId: 'x', received: -1 });
    expect(viewer.ofType('error').map((e) => e.code)).toEqual([
      'BAD_MESSAGE',
      'UNKNOWN_ROOM',
      'BAD_MESSAGE',
    ]);
  });

  it('sends a viewer who joins mid-game a key frame first, then deltas it decodes exactly', () => {
    const { transport, hub } = setup();
    const room = hub.openRoom(roomOptions());
    const frames = makeFrames(100);
    const early = watch(transport);
    early.viewer.join('brick-1');
    for (let i = 0; i < 37; i++) room.publish(liveFrame(frames[i], i));
    const late = watch(transport);
    late.viewer.join('brick-1');
    expect(late.connection.received.map((m) => m.type).slice(-2)).toEqual(['joined', 'frame']);
    const first = frameMessages(late.connection)[0];
    expect(readFrameHeader(first.frame)).toMatchObject({ key: true, frameNumber: 36 });
    expect(first.step).toBe(36);
    for (let i = 37; i < 100; i++) room.publish(liveFrame(frames[i], i));

    expect(late.decoded.map((d) => d.frameNumber)).toEqual(range(36, 100));
    expect(early.decoded.map((d) => d.frameNumber)).toEqual(range(0, 100));
    for (const { frameNumber, pixels } of [...late.decoded, ...early.decoded]) {
      expect(equal(pixels, frames[frameNumber])).toBe(true);
    }
    // Only the joiner's first frame and the periodic key frame are keys.
    expect(late.decoded.filter((d) => d.key).map((d) => d.frameNumber)).toEqual([36, 60]);
  });

  it('skips a congested viewer without touching the others, and resumes it with a key frame', () => {
    const { transport, hub } = setup({ keyFrameInterval: 1000 });
    const room = hub.openRoom(roomOptions());
    const frames = makeFrames(60);
    const fast = watch(transport);
    const slow = watch(transport);
    fast.viewer.join('brick-1');
    slow.viewer.join('brick-1');
    for (let i = 0; i < 10; i++) room.publish(liveFrame(frames[i], i));
    slow.connection.backlog = 100;
    for (let i = 10; i < 40; i++) room.publish(liveFrame(frames[i], i));
    expect(room.stats().drops).toBe(30);
    slow.connection.backlog = 0;
    for (let i = 40; i < 60; i++) room.publish(liveFrame(frames[i], i));

    expect(fast.decoded.map((d) => d.frameNumber)).toEqual(range(0, 60));
    expect(slow.decoded.map((d) => d.frameNumber)).toEqual([...range(0, 10), ...range(40, 60)]);
    expect(slow.decoded.find((d) => d.frameNumber === 40)?.key).toBe(true);
    for (const { frameNumber, pixels } of slow.decoded) {
      expect(equal(pixels, frames[frameNumber])).toBe(true);
    }
    expect(slow.viewer.stats('brick-1')?.skipped).toBe(0);
  });

  it('stops sending to a viewer that does not acknowledge, until it does', () => {
    const window = 2 * ACK_EVERY_FRAMES;
    const { transport, hub } = setup({ maxUnackedFrames: window, keyFrameInterval: 1000 });
    const room = hub.openRoom(roomOptions());
    const frames = makeFrames(60);
    const silent = transport.connect();
    silent.send({ type: 'join', roomId: 'brick-1' });
    for (let i = 0; i < 40; i++) room.publish(liveFrame(frames[i], i));
    expect(frameMessages(silent)).toHaveLength(window);
    silent.send({ type: 'ack', roomId: 'brick-1', received: window });
    room.publish(liveFrame(frames[40], 40));
    const resumed = frameMessages(silent).at(-1)!;
    expect(readFrameHeader(resumed.frame)).toMatchObject({ key: true, frameNumber: 40 });
  });

  it('re-keys on request, encoding one key frame for all who asked', () => {
    const { transport, hub } = setup({ keyFrameInterval: 1000 });
    const room = hub.openRoom(roomOptions());
    const frames = makeFrames(20);
    const viewers = [transport.connect(), transport.connect(), transport.connect()];
    for (const v of viewers) v.send({ type: 'join', roomId: 'brick-1' });
    for (let i = 0; i < 10; i++) room.publish(liveFrame(frames[i], i));
    const keysBefore = room.stats().keyFrames;
    viewers[0].send({ type: 'keyFrameRequest', roomId: 'brick-1' });
    viewers[1].send({ type: 'keyFrameRequest', roomId: 'brick-1' });
    room.publish(liveFrame(frames[10], 10));
    const kinds = viewers.map((v) => readFrameHeader(frameMessages(v).at(-1)!.frame).key);
    expect(kinds).toEqual([true, true, false]);
    expect(room.stats().keyFrames).toBe(keysBefore + 1);
    // Every viewer's stream still decodes.
    for (const v of viewers) {
      const decoder = new FrameDecoder();
      for (const m of frameMessages(v)) if (decoder.canDecode(m.frame)) decoder.decode(m.frame);
      expect(decoder.lastFrameNumber).toBe(10);
    }
  });

  it('does not encode while nobody watches, and a first viewer still starts on a key frame', () => {
    const { transport, hub } = setup();
    const room = hub.openRoom(roomOptions());
    const frames = makeFrames(30);
    for (let i = 0; i < 20; i++) room.publish(liveFrame(frames[i], i));
    expect(room.stats()).toMatchObject({ frames: 20, encoded: 0 });
    const viewer = watch(transport);
    viewer.viewer.join('brick-1');
    for (let i = 20; i < 30; i++) room.publish(liveFrame(frames[i], i));
    expect(viewer.decoded.map((d) => d.frameNumber)).toEqual(range(19, 30));
    expect(viewer.decoded.map((d) => d.key)).toEqual([true, ...new Array(10).fill(false)]);
    expect(equal(viewer.decoded.at(-1)!.pixels, frames[29])).toBe(true);
  });

  it('lets a viewer follow a showcase into its next room; publishing to an ended room is a no-op', () => {
    const { transport, hub } = setup();
    const first = hub.openRoom(roomOptions('show-1'));
    const frames = makeFrames(4);
    const connection = transport.connect();
    const joined: string[] = [];
    const viewer = new LiveViewer({
      send: (message) => connection.send(message),
      followNext: true,
      onJoined: (room) => joined.push(room.roomId),
    });
    connection.listener = (message) => viewer.receive(message);
    viewer.join('show-1');
    first.publish(liveFrame(frames[0], 0));
    const second = hub.openRoom(roomOptions('show-2'));
    first.end({ reason: 'terminated', score: 1, frames: 1, nextRoomId: 'show-2' });
    expect(() => first.publish(liveFrame(frames[1], 1))).not.toThrow();
    expect(first.stats().frames).toBe(1);
    expect(joined).toEqual(['show-1', 'show-2']);
    second.publish(liveFrame(frames[2], 0));
    expect(viewer.stats('show-2')?.decoded).toBe(1);
  });

  it('forgets viewers that disconnect or leave', () => {
    const { transport, hub } = setup();
    const room = hub.openRoom(roomOptions());
    const a = transport.connect();
    const b = transport.connect();
    a.send({ type: 'join', roomId: 'brick-1' });
    b.send({ type: 'join', roomId: 'brick-1' });
    expect(room.viewerCount).toBe(2);
    a.disconnect();
    b.send({ type: 'leave', roomId: 'brick-1' });
    expect(room.viewerCount).toBe(0);
  });
});

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
