import { describe, expect, it } from 'vitest';
import type { FrameSink, LiveFrame, RoomResult } from '../stream/liveRoom.ts';
import { EvaluationStreamer, IDLE_FRAME_MS, type WatchableEpisode } from './spectate.ts';

class FakeSink implements FrameSink {
  readonly frames: LiveFrame[] = [];
  result: RoomResult | null = null;
  viewerCount = 0;
  get isEnded() {
    return this.result !== null;
  }
  publish(frame: LiveFrame) {
    this.frames.push({ ...frame, pixels: frame.pixels.slice(0, 4) });
  }
  end(result: RoomResult) {
    this.result = result;
  }
}

function episode(index: number, q?: number[]): WatchableEpisode & { score: number } {
  return {
    index,
    done: false,
    steps: 0,
    score: 0,
    lives: 3,
    episodeFrame: 0,
    action: 'NOOP',
    screen: (out) => out.fill(index + 1),
    ...(q ? { qValues: () => q } : {}),
  };
}

function setUp(maxFps = 10) {
  let time = 0;
  const rooms: { index: number; roomId: string; sink: FakeSink }[] = [];
  const streamer = new EvaluationStreamer(
    {
      maxFps,
      open(index) {
        const room = { index, roomId: `eval-1-${index}`, sink: new FakeSink() };
        rooms.push(room);
        return room;
      },
    },
    () => time,
  );
  return { streamer, rooms, advance: (ms: number) => (time += ms) };
}

describe('EvaluationStreamer', () => {
  it('shows the lowest running episode, at most maxFps frames a second while watched', () => {
    const { streamer, rooms, advance } = setUp(10);
    const episodes = [episode(0, [0.5, 1]), episode(1)];
    streamer.update(episodes);
    expect(rooms.map((r) => r.roomId)).toEqual(['eval-1-0']);
    const sink = rooms[0].sink;
    // A first frame at once, so a viewer who joins sees the game straight away.
    expect(sink.frames).toHaveLength(1);
    sink.viewerCount = 1;
    // 2 s of steps every 5 ms: 10 frames a second reach the room, not 200.
    for (let t = 0; t < 2000; t += 5) {
      advance(5);
      episodes[0].steps++;
      episodes[0].score = Math.floor(t / 100);
      streamer.update(episodes);
    }
    expect(sink.frames.length).toBeGreaterThanOrEqual(20);
    expect(sink.frames.length).toBeLessThanOrEqual(22);
    const last = sink.frames.at(-1)!;
    expect(Array.from(last.pixels)).toEqual([1, 1, 1, 1]);
    expect(last.qValues).toEqual([0.5, 1]);
    expect(last.score).toBe(episodes[0].score);
  });

  it('sends a frame only every IDLE_FRAME_MS while nobody watches', () => {
    const { streamer, rooms, advance } = setUp(30);
    const episodes = [episode(0)];
    streamer.update(episodes);
    for (let t = 0; t < 5000; t += 10) {
      advance(10);
      streamer.update(episodes);
    }
    expect(rooms[0].sink.frames.length).toBe(1 + Math.floor(5000 / IDLE_FRAME_MS));
  });

  it('moves to the next running episode, the ended room naming the next', () => {
    const { streamer, rooms, advance } = setUp();
    const episodes = [episode(0), episode(1), episode(2)];
    streamer.update(episodes);
    // Episode 1 ends first: episode 0 stays on screen.
    episodes[1].done = true;
    advance(10);
    streamer.update(episodes);
    expect(rooms).toHaveLength(1);
    Object.assign(episodes[0], { done: true, truncated: true, score: 7, episodeFrame: 900 });
    advance(10);
    streamer.update(episodes);
    expect(rooms.map((r) => r.index)).toEqual([0, 2]);
    expect(rooms[0].sink.result).toEqual({
      reason: 'truncated',
      score: 7,
      frames: 900,
      nextRoomId: 'eval-1-2',
    });
    Object.assign(episodes[2], { done: true, truncated: false, score: 3, episodeFrame: 400 });
    streamer.update(episodes);
    expect(rooms[1].sink.result).toEqual({ reason: 'terminated', score: 3, frames: 400 });
    expect(streamer.watchedIndex).toBeNull();
  });

  it('asks the loop to yield every 20 ms, and ends the room as stopped on stop', () => {
    const { streamer, rooms, advance } = setUp();
    const episodes = [episode(0)];
    expect(streamer.update(episodes)).toBe(false);
    advance(10);
    expect(streamer.update(episodes)).toBe(false);
    advance(10);
    expect(streamer.update(episodes)).toBe(true);
    expect(streamer.update(episodes)).toBe(false);
    streamer.stop('error');
    expect(rooms[0].sink.result?.reason).toBe('error');
  });
});
