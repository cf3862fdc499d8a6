import { beforeAll, describe, expect, it } from 'vitest';
import { RandomAgent } from '../../agents/randomAgent.ts';
import { makeNesEnv } from '../../emulators/index.ts';
import type { NesEnv } from '../../emulators/nes/nesEnv.ts';
import { type Clock, runRealtime } from './realtimeRunner.ts';
import type { FrameSink, LiveFrame, RoomResult } from './streamHub.ts';

/** A clock that jumps to each due time at once, recording the schedule it was asked for. */
function fakeClock(): Clock & { waits: number[] } {
  let now = 1000;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleepUntil: async (time) => {
      waits.push(time);
      now = Math.max(now, time);
    },
  };
}

/** A sink that keeps what it is given (pixels copied, since the runner reuses its buffers). */
function recordingSink(viewers = 1) {
  const frames: (Omit<LiveFrame, 'pixels'> & { checksum: number })[] = [];
  const ends: RoomResult[] = [];
  const sink: FrameSink = {
    viewerCount: viewers,
    isEnded: false,
    publish: (frame) => {
      let checksum = 0;
      for (let i = 0; i < frame.pixels.length; i += 97)
        checksum = (checksum * 31 + frame.pixels[i]) | 0;
      const { pixels: _pixels, ...rest } = frame;
      frames.push({ ...rest, checksum });
    },
    end: (result) => ends.push(result),
  };
  return { sink, frames, ends };
}

const atari = { stickyActionProbability: 0, noopMax: 0 };

describe('runRealtime', () => {
  // One machine for all tests (each run resets it): powering on is slow on a shared machine.
  let env: NesEnv;
  beforeAll(() => {
    env = makeNesEnv({ game: 'brick' });
  });

  it('publishes every frame on a 60 Hz schedule that does not drift', async () => {
    const clock = fakeClock();
    const { sink, frames, ends } = recordingSink();
    const result = await runRealtime({
      env,
      agent: new RandomAgent(env.actionSpace.n, 1),
      sink,
      atari,
      seed: 3,
      maxFrames: 60,
      clock,
    });
    expect(result).toMatchObject({ reason: 'truncated', frames: 60, steps: 15, published: 60 });
    expect(frames.map((f) => f.episodeFrame)).toEqual(frames.map((_, i) => i + 1));
    // Frame k is due at start + k/60 s exactly: no accumulated lateness.
    expect(clock.waits).toHaveLength(60);
    for (const [k, t] of clock.waits.entries()) expect(t).toBeCloseTo(1000 + (k * 1000) / 60, 6);
    // The agent acts every 4 frames; each frame says which step and action it belongs to.
    expect(frames[0].step).toBe(1);
    expect(frames[4].step).toBe(2);
    expect(new Set(frames.map((f) => f.action)).size).toBeGreaterThan(1);
    expect(ends).toEqual([{ reason: 'truncated', score: result.score, frames: 60 }]);
  });

  it('runs faster with speed, publishing in strides at most 60 times a second', async () => {
    const clock = fakeClock();
    const { sink, frames } = recordingSink();
    const result = await runRealtime({
      env,
      agent: new RandomAgent(env.actionSpace.n, 1),
      sink,
      atari,
      maxFrames: 80,
      speed: 4,
      clock,
    });
    expect(result.published).toBe(20);
    expect(frames.map((f) => f.episodeFrame).slice(0, 3)).toEqual([1, 5, 9]);
    // 80 NES frames at 240 a second: the last one published (index 76) is due at 76/240 s.
    expect(clock.waits.at(-1)! - 1000).toBeCloseTo((76 * 1000) / 240, 6);
  });

  it('reports both scores in a match and stops when aborted', async () => {
    const controller = new AbortController();
    const { sink, frames, ends } = recordingSink();
    const clock = fakeClock();
    const sleep = clock.sleepUntil;
    clock.sleepUntil = async (time) => {
      if (clock.waits.length === 20) controller.abort();
      await sleep(time);
    };
    const result = await runRealtime({
      env,
      agent: new RandomAgent(env.actionSpace.n, 1),
      sink,
      atari,
      opponentName: 'cpu',
      signal: controller.signal,
      clock,
    });
    expect(result.reason).toBe('stopped');
    expect(frames).toHaveLength(20);
    expect(frames[0].players?.map((p) => p.name)).toEqual(['random', 'cpu']);
    expect(ends[0].reason).toBe('stopped');
  });

  it('stops when its sink is ended from outside (a server shutting down)', async () => {
    const { sink, frames } = recordingSink();
    const clock = fakeClock();
    let ended = false;
    const endable: FrameSink = {
      ...sink,
      publish: (frame) => {
        sink.publish(frame);
        if (frames.length === 10) ended = true;
      },
      get isEnded() {
        return ended;
      },
    };
    const result = await runRealtime({
      env,
      agent: new RandomAgent(env.actionSpace.n, 1),
      sink: endable,
      atari,
      clock,
    });
    expect(result.reason).toBe('stopped');
    expect(frames).toHaveLength(10);
  });

  it('keeps real time on the real clock', async () => {
    const { sink } = recordingSink();
    const result = await runRealtime({
      env,
      agent: new RandomAgent(env.actionSpace.n, 1),
      sink,
      atari,
      maxFrames: 30,
    });
    // 29 frame periods from the first frame to the last: 483 ms (loose: the machine is shared).
    expect(result.elapsedMs).toBeGreaterThan(470);
    expect(result.elapsedMs).toBeLessThan(800);
  });
});
