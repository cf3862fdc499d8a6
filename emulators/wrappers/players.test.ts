/**
 * The wrappers' options for games of several players (what the two-player env builds on): sticky
 * actions with a stream per controller, a frame stack per player, a pool of the caller's own for
 * the frame skip, streams restarted on every episode, and refusing a no-op start the episode ends
 * in. Each must be the one-player convention applied per player.
 */
import { describe, expect, it } from 'vitest';
import { actionScript, play, resumeThreeWays } from '../../tests/support/envTrace.ts';
import { ScriptedEnv, ScriptedScreenEnv } from '../../tests/support/scriptedEnv.ts';
import { controllerAction, packControllers } from '../actions.ts';
import { ObservationWrapper, type ResetOptions, type ResetResult } from '../core.ts';
import {
  FrameStackObservation,
  MaxAndSkipObservation,
  NoopStart,
  type ScreenPool,
  StickyAction,
} from './index.ts';

/** A scripted env whose reset writes a game seed (`info.seed`), as `NesEnv`'s does. */
class SeededScriptedEnv extends ScriptedEnv {
  constructor(
    private readonly gameSeed: number,
    script = {},
  ) {
    super(script);
  }
  override reset(options?: ResetOptions): ResetResult<Uint8Array> {
    const result = super.reset(options);
    result.info.seed = options?.seed ?? this.gameSeed;
    return result;
  }
}

describe('StickyAction with a stream per controller', () => {
  it('sticks each controller exactly as a one-controller StickyAction on its stream would', () => {
    const inner = new ScriptedEnv();
    const both = new StickyAction(inner, 0.25, { streams: ['sticky:1', 'sticky:2'] });
    const alone = ['sticky:1', 'sticky:2'].map((label) => {
      const env = new ScriptedEnv();
      return { env, sticky: new StickyAction(env, 0.25, { streams: [label] }) };
    });
    both.reset({ seed: 6 });
    for (const a of alone) a.sticky.reset({ seed: 6 });
    const [script1, script2] = [actionScript(2000, 4, 1), actionScript(2000, 4, 2)];
    for (let i = 0; i < script1.length; i++) {
      const result = both.step(packControllers(script1[i], script2[i]));
      expect(result.info.executedAction).toBe(inner.received[i]);
      alone[0].sticky.step(script1[i]);
      alone[1].sticky.step(script2[i]);
    }
    const executed = [0, 1].map((k) => inner.received.map((a) => controllerAction(a, k)));
    expect(executed[0]).toEqual(alone[0].env.received);
    expect(executed[1]).toEqual(alone[1].env.received);
    // Both controllers stuck at times, and not on the same steps: their own streams.
    const stuck = [script1, script2].map((script, k) =>
      script.map((chosen, i) => executed[k][i] !== chosen),
    );
    expect(stuck[0].filter(Boolean).length).toBeGreaterThan(100);
    expect(stuck[1].filter(Boolean).length).toBeGreaterThan(100);
    expect(stuck[0]).not.toEqual(stuck[1]);
  });

  it('continues the same after a save and restore, and refuses a one-controller state', () => {
    const make = () =>
      new StickyAction(new ScriptedEnv({ episodeLength: 9 }), 0.5, { streams: ['a', 'b'] });
    const env = make();
    env.reset({ seed: 4 });
    play(env, [1, 2, 3, 2, 1]);
    const tail = actionScript(40, 16, 7).map((a) => packControllers(a & 3, a >> 2));
    const run = resumeThreeWays(env, make(), tail);
    expect(run.again).toEqual(run.reference);
    expect(run.fresh).toEqual(run.reference);
    const one = new StickyAction(new ScriptedEnv(), 0.5);
    expect(() => env.setState(one.getState())).toThrow(
      /cannot restore 1-controller sticky actions into 2-controller ones/,
    );
  });
});

describe("restarting the streams on every episode (seeding: 'everyEpisode')", () => {
  // Executed actions of a few steps after each reset in `resets`, on one env.
  const stickyPlay = (
    seeding: 'whenSeeded' | 'everyEpisode',
    resets: Array<number | undefined>,
  ) => {
    const inner = new SeededScriptedEnv(1234);
    const env = new StickyAction(inner, 0.5, { seeding });
    return resets.map((seed) => {
      env.reset({ seed });
      return Array.from({ length: 30 }, (_, i) => env.step(1 + (i % 3)).info.executedAction);
    });
  };

  it('makes a reset without a seed play as one with the game seed it wrote', () => {
    const [, unseeded] = stickyPlay('everyEpisode', [7, undefined]);
    const [seeded] = stickyPlay('everyEpisode', [1234]);
    expect(unseeded).toEqual(seeded);
    // Gymnasium's default continues the stream instead.
    const [, continued] = stickyPlay('whenSeeded', [7, undefined]);
    expect(continued).not.toEqual(seeded);
  });

  it('draws the no-op count from the game seed too', () => {
    const noops = (seeding: 'whenSeeded' | 'everyEpisode', seed: number | undefined) => {
      const inner = new SeededScriptedEnv(1234);
      const env = new NoopStart(inner, 30, { seeding });
      const counts: number[] = [];
      for (const s of [5, seed]) {
        const before = inner.received.length;
        env.reset({ seed: s });
        counts.push(inner.received.length - before);
      }
      return counts[1];
    };
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const counts = seeds.map((seed) => noops('everyEpisode', seed));
    // Not the same count whatever the seed, so the next check says something.
    expect(new Set(counts).size).toBeGreaterThan(1);
    expect(noops('everyEpisode', undefined)).toBe(noops('everyEpisode', 1234));
  });
});

describe('NoopStart when the episode ends during the no-ops', () => {
  it('resets and goes on by default, or refuses when told to', () => {
    // Seed 3 draws more than 2 no-ops of 30 (checked below), so a 2-step episode ends in them.
    const inner = new ScriptedEnv({ episodeLength: 2 });
    new NoopStart(inner, 30).reset({ seed: 3 });
    expect(inner.received.length).toBeGreaterThan(2);
    expect(inner.resets).toBeGreaterThan(1);
    const refusing = new NoopStart(new ScriptedEnv({ episodeLength: 2 }), 30, {
      onEndedDuringNoops: () => {
        throw new Error('ended during the no-ops');
      },
    });
    expect(() => refusing.reset({ seed: 3 })).toThrow(/ended during the no-ops/);
  });
});

describe('FrameStackObservation of several players', () => {
  /** ScriptedEnv's [2, 3] frame read as two players' frames of 3; player 2's is 100 + step. */
  class TwoFrames extends ObservationWrapper<Uint8Array> {
    observation(observation: Uint8Array): Uint8Array {
      return Uint8Array.of(
        ...observation.subarray(0, 3),
        ...new Array(3).fill(100 + observation[0]),
      );
    }
  }

  it("stacks each player's frames on their own, as a one-player stack of them would", () => {
    const env = new FrameStackObservation(new TwoFrames(new ScriptedEnv()), 3, { players: 2 });
    expect(env.observationSpace.shape).toEqual([2, 3, 3]);
    const start = env.reset().observation;
    expect([...env.stacks[0]]).toEqual(new Array(9).fill(0));
    expect([...env.stacks[1]]).toEqual(new Array(9).fill(100));
    env.step(0);
    const observation = env.step(0).observation;
    expect(observation).toBe(start);
    expect([...env.stacks[0]]).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect([...env.stacks[1]]).toEqual([100, 100, 100, 101, 101, 101, 102, 102, 102]);
    expect([...observation]).toEqual([...env.stacks[0], ...env.stacks[1]]);
    expect(() => new FrameStackObservation(new ScriptedEnv(), 3, { players: 3 })).toThrow(
      /needs observations of shape \[3, \.\.\.frame\], got \[2, 3\]/,
    );
  });
});

describe('MaxAndSkipObservation with a pool of its own', () => {
  it('asks the pool to remember the frame before the last, then to render the last', () => {
    const calls: string[] = [];
    const output = new Uint8Array(2);
    const pool: ScreenPool = {
      shape: [2],
      remember: (screen) => calls.push(`remember ${screen[0] >> 16}`),
      render: (screen) => {
        calls.push(`render ${screen[0] >> 16}`);
        return output;
      },
    };
    const screens = new ScriptedScreenEnv({ episodeLength: 6 }, (step) => step);
    const env = new MaxAndSkipObservation(screens, { skip: 4, pool });
    expect(env.observationSpace.shape).toEqual([2]);
    expect(env.reset().observation).toBe(output);
    env.step(0);
    // The episode ends on frame 6, half-way through the step: that frame is pooled with itself.
    expect(env.step(0).terminated).toBe(true);
    expect(calls).toEqual([
      'remember 0',
      'render 0',
      'remember 3',
      'render 4',
      'remember 6',
      'render 6',
    ]);
  });
});
