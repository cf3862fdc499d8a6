import { describe, expect, it } from 'vitest';
import { ARENA_CONDITIONS } from '../../agents/evaluation/conditions.ts';
import type { FrameSink, LiveFrame, RoomResult } from '../stream/liveRoom.ts';
import { runEvalTask } from './evalTask.ts';
import type { EpisodeResult, EvalTask } from './task.ts';

const TASK: EvalTask = {
  game: 'brick',
  conditions: { ...ARENA_CONDITIONS, episodes: 2, maxEpisodeFrames: 400 },
  agent: { kind: 'builtin', name: 'random' },
  episodes: [
    { index: 0, seed: 11 },
    { index: 1, seed: 12 },
  ],
};

class RecordingSink implements FrameSink {
  readonly frames: Omit<LiveFrame, 'pixels'>[] = [];
  readonly distinctScreens = new Set<number>();
  result: RoomResult | null = null;
  constructor(readonly viewerCount: number) {}
  get isEnded() {
    return this.result !== null;
  }
  publish({ pixels, ...frame }: LiveFrame) {
    expect(pixels).toHaveLength(256 * 240);
    this.distinctScreens.add(pixels.reduce((a, b) => (a * 31 + b) % 1_000_003, 0));
    this.frames.push(frame);
  }
  end(result: RoomResult) {
    this.result = result;
  }
}

const play = async (live?: Parameters<typeof runEvalTask>[0]['live']) => {
  const results: EpisodeResult[] = [];
  await runEvalTask({ task: TASK, onEpisode: (r) => results.push(r), live });
  return results.sort((a, b) => a.index - b.index);
};

describe('runEvalTask with spectators', () => {
  it('streams each episode in turn and plays exactly the same episodes', async () => {
    const rooms: { index: number; roomId: string; sink: RecordingSink }[] = [];
    const watched = await play({
      // High enough that this machine's emulation speed, not the cap, limits the frames.
      maxFps: 100_000,
      open(index) {
        const room = { index, roomId: `eval-9-${index}`, sink: new RecordingSink(1) };
        rooms.push(room);
        return room;
      },
    });
    const unwatched = await play();
    const strip = (r: EpisodeResult) => ({ ...r, actions: Array.from(r.actions) });
    expect(watched.map(strip)).toEqual(unwatched.map(strip));

    // The lowest running episode is on screen; another room follows only while one still runs.
    expect(rooms[0].index).toBe(0);
    expect(rooms.map((r) => r.index)).toEqual([...rooms.map((r) => r.index)].sort());
    for (const [k, room] of rooms.entries()) {
      const result = watched[room.index];
      const next = rooms[k + 1];
      expect(room.sink.result).toEqual({
        reason: result.truncated ? 'truncated' : 'terminated',
        score: result.score,
        frames: result.frames,
        ...(next ? { nextRoomId: next.roomId } : {}),
      });
      expect(room.sink.frames.length).toBeGreaterThan(10);
      expect(room.sink.distinctScreens.size).toBeGreaterThan(1);
      const last = room.sink.frames.at(-1)!;
      expect(last.episodeFrame).toBeLessThanOrEqual(result.frames);
      expect(last.action).toMatch(/^[A-Z]+$/);
    }
  });
});
