import { describe, expect, it } from 'vitest';
import { actionScript, play, resumeThreeWays } from '../../tests/support/envTrace.ts';
import { ScriptedEnv, ScriptedScreenEnv } from '../../tests/support/scriptedEnv.ts';
import type { Env, ResetOptions } from '../core.ts';
import { canSaveState } from '../envState.ts';
import {
  atariPreprocessing,
  FrameStackObservation,
  MaxAndSkipObservation,
  NoopStart,
  StickyAction,
  TerminalOnLifeLoss,
  TimeLimit,
} from './index.ts';

/** Straightforward area average, the reference the fused implementation must match. */
function referenceResize(
  gray: Float64Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
): Uint8Array {
  const sx = width / outW;
  const sy = height / outH;
  const out = new Uint8Array(outW * outH);
  for (let j = 0; j < outH; j++) {
    for (let i = 0; i < outW; i++) {
      let sum = 0;
      for (let y = Math.floor(j * sy); y < Math.ceil((j + 1) * sy); y++) {
        const wy = Math.min(y + 1, (j + 1) * sy) - Math.max(y, j * sy);
        for (let x = Math.floor(i * sx); x < Math.ceil((i + 1) * sx); x++) {
          const wx = Math.min(x + 1, (i + 1) * sx) - Math.max(x, i * sx);
          sum += gray[y * width + x] * wx * wy;
        }
      }
      out[j * outW + i] = Math.min(255, Math.floor(sum / (sx * sy) + 0.5));
    }
  }
  return out;
}

describe('MaxAndSkipObservation', () => {
  const draw = (step: number, x: number, y: number) =>
    ((x * 7 + y * 13 + step * 29) ^ (x * y)) & 0xff;

  it('max-pools the last two frames, then area-averages to 84x84 like a reference resize', () => {
    const env = new MaxAndSkipObservation(new ScriptedScreenEnv({}, draw), { skip: 4 });
    env.reset();
    const { observation } = env.step(0);
    const pooled = new Float64Array(256 * 240);
    for (let y = 0; y < 240; y++)
      for (let x = 0; x < 256; x++) pooled[y * 256 + x] = Math.max(draw(3, x, y), draw(4, x, y));
    const expected = referenceResize(pooled, 256, 240, 84, 84);
    let worst = 0;
    for (let i = 0; i < expected.length; i++)
      worst = Math.max(worst, Math.abs(expected[i] - observation[i]));
    expect(worst).toBeLessThanOrEqual(1); // float32 accumulation may round the other way
  });

  it('keeps a uniform screen uniform at any output size', () => {
    const env = new MaxAndSkipObservation(new ScriptedScreenEnv({}, () => 200), {
      skip: 2,
      width: 64,
      height: 50,
    });
    expect(env.observationSpace.shape).toEqual([50, 64]);
    expect([...new Set(env.reset().observation)]).toEqual([200]);
  });

  it('sums rewards over the skipped frames and stops at the end of an episode', () => {
    const inner = new ScriptedScreenEnv({ episodeLength: 6, reward: (s) => s }, () => 0);
    const env = new MaxAndSkipObservation(inner, { skip: 4 });
    env.reset();
    expect(env.step(1).reward).toBe(1 + 2 + 3 + 4);
    const last = env.step(1);
    expect(last.reward).toBe(5 + 6);
    expect(last.terminated).toBe(true);
    expect(inner.received).toHaveLength(6);
  });

  it('rejects bad options with the value quoted', () => {
    const inner = new ScriptedScreenEnv({}, () => 0);
    expect(() => new MaxAndSkipObservation(inner, { skip: 0 })).toThrow(
      /frame skip must be an integer >= 1, got 0/,
    );
    expect(() => new MaxAndSkipObservation(inner, { width: 300 })).toThrow(/got 300x84/);
  });
});

describe('StickyAction', () => {
  it('repeats the previous action with the given probability and reports it', () => {
    const inner = new ScriptedEnv();
    const env = new StickyAction(inner, 0.25);
    env.reset({ seed: 3 });
    let repeats = 0;
    let chances = 0;
    let previous = 0;
    for (let i = 0; i < 20_000; i++) {
      const chosen = i % 2 === 0 ? 2 : 3;
      const result = env.step(chosen);
      expect(result.info.executedAction).toBe(inner.received[i]);
      // Only a step whose choice differs from the last executed action shows whether it stuck.
      if (chosen !== previous) {
        chances++;
        if (inner.received[i] === previous) repeats++;
        else expect(inner.received[i]).toBe(chosen);
      }
      previous = inner.received[i];
    }
    expect(repeats / chances).toBeGreaterThan(0.235);
    expect(repeats / chances).toBeLessThan(0.265);
  });

  it('is reproducible from the reset seed', () => {
    const run = (seed: number) => {
      const inner = new ScriptedEnv();
      const env = new StickyAction(inner, 0.5);
      env.reset({ seed });
      for (let i = 0; i < 200; i++) env.step(i % 4);
      return inner.received;
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('never sticks with probability 0 and rejects probabilities outside [0, 1)', () => {
    const inner = new ScriptedEnv();
    const env = new StickyAction(inner, 0);
    env.reset({ seed: 1 });
    for (let i = 0; i < 100; i++) env.step(i % 4);
    expect(inner.received).toEqual(Array.from({ length: 100 }, (_, i) => i % 4));
    expect(() => new StickyAction(inner, 1)).toThrow(/\[0, 1\), got 1/);
  });
});

describe('NoopStart', () => {
  it('takes between 0 and noopMax NOOP steps after each reset, varying with the seed', () => {
    const counts = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const inner = new ScriptedEnv();
      new NoopStart(inner, 30).reset({ seed });
      expect(inner.received.every((a) => a === 0)).toBe(true);
      expect(inner.received.length).toBeLessThanOrEqual(30);
      counts.add(inner.received.length);
    }
    expect(counts.size).toBeGreaterThan(20);
    expect(counts.has(0) || counts.has(30)).toBe(true);
  });

  it('requires action 0 to be NOOP', () => {
    expect(() => new NoopStart(new ScriptedEnv({ actions: ['FIRE', 'NOOP'] }))).toThrow(
      /action 0 to be NOOP, it is FIRE/,
    );
  });
});

describe('TimeLimit', () => {
  it('truncates once the episode reaches the frame cap', () => {
    const env = new TimeLimit(new ScriptedEnv({ framesPerStep: 4 }), 20);
    env.reset();
    const flags = Array.from({ length: 5 }, () => env.step(0).truncated);
    expect(flags).toEqual([false, false, false, false, true]);
  });
});

describe('TerminalOnLifeLoss', () => {
  it('ends the episode on a lost life and resumes the game on reset until game over', () => {
    const inner = new ScriptedEnv({
      lives: (step) => (step < 3 ? 3 : step < 5 ? 2 : 1),
      episodeLength: 7,
    });
    const env = new TerminalOnLifeLoss(inner);
    env.reset({ seed: 1 });
    const ends = Array.from({ length: 3 }, () => env.step(0).terminated);
    expect(ends).toEqual([false, false, true]);
    env.reset();
    expect(inner.resets).toBe(1); // the game was not reset
    expect([env.step(0).terminated, env.step(0).terminated]).toEqual([false, true]);
    env.reset();
    expect(inner.resets).toBe(1);
    expect([env.step(0).terminated, env.step(0).terminated]).toEqual([false, true]); // game over at 7
    env.reset();
    expect(inner.resets).toBe(2);
  });
});

describe('FrameStackObservation', () => {
  it('stacks the last frames oldest first, filling with the first frame after reset', () => {
    const env = new FrameStackObservation(new ScriptedEnv(), 4);
    expect(env.observationSpace.shape).toEqual([4, 2, 3]);
    expect([...env.reset().observation]).toEqual(new Array(24).fill(0));
    env.step(0);
    const obs = env.step(0).observation;
    expect([...obs]).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2,
    ]);
  });
});

describe('atariPreprocessing', () => {
  it('draws sticky actions per emulator frame, as ALE does', () => {
    const inner = new ScriptedScreenEnv({}, () => 0);
    const env = atariPreprocessing(inner, { stickyActionProbability: 0.25, noopMax: 0 });
    env.reset({ seed: 5 });
    // Alternate LEFT and RIGHT so every step changes the action; count, per step, how many of its
    // 4 frames still executed the previous one.
    const lateFrames = [0, 0, 0, 0, 0];
    const steps = 8000;
    for (let i = 0; i < steps; i++) {
      const chosen = i % 2 === 0 ? 2 : 3;
      const previous = i === 0 ? 0 : inner.received.at(-1);
      const result = env.step(chosen);
      const frames = inner.received.slice(-4);
      const late = frames.findIndex((a) => a === chosen);
      const k = late === -1 ? 4 : late;
      // Once the new action takes over it stays for the rest of the step.
      expect(frames).toEqual([...Array(k).fill(previous), ...Array(4 - k).fill(chosen)]);
      expect(result.info.executedAction).toBe(frames[3]);
      lateFrames[k]++;
    }
    // P(late by at least k frames) = 0.25^k: about 25%, 6.3%, 1.6% and 0.4% of the steps.
    const atLeast = (k: number) => lateFrames.slice(k).reduce((a, b) => a + b, 0) / steps;
    expect(atLeast(1)).toBeGreaterThan(0.23);
    expect(atLeast(1)).toBeLessThan(0.27);
    expect(atLeast(2)).toBeGreaterThan(0.05);
    expect(atLeast(2)).toBeLessThan(0.076);
    // Part-step delays happen: stickiness is not drawn once per agent step.
    expect(lateFrames[1]).toBeGreaterThan(0);
    expect(lateFrames[2]).toBeGreaterThan(0);
  });

  it('composes the defaults into a [4, 84, 84] observation', () => {
    const env = atariPreprocessing(new ScriptedScreenEnv({}, () => 9));
    expect(env.observationSpace.shape).toEqual([4, 84, 84]);
    expect(env.reset({ seed: 1 }).observation).toHaveLength(4 * 84 * 84);
  });

  it('validates options and names the bad field', () => {
    const inner = new ScriptedScreenEnv({}, () => 0);
    expect(() => atariPreprocessing(inner, { frameSkip: 0 })).toThrow(/frameSkip: /);
    expect(() => atariPreprocessing(inner, { nope: 1 } as never)).toThrow(
      /bad environment options/,
    );
  });
});

describe('saving and restoring state', () => {
  // Each wrapper over a scripted env: save, play a tail, restore (into the same env after it
  // wandered on, and into a freshly built one) and play the tail again: identical every time.
  const tail = (n: number) => actionScript(40, n, 7);

  it('StickyAction continues with the same sticks and the same previous action', () => {
    const make = () => new StickyAction(new ScriptedEnv({ episodeLength: 9 }), 0.5);
    const env = make();
    env.reset({ seed: 4 });
    play(env, [1, 2, 3, 2, 1]);
    const run = resumeThreeWays(env, make(), tail(4));
    expect(run.again).toEqual(run.reference);
    expect(run.fresh).toEqual(run.reference);
    // The tail really depends on the sticks: some executed actions differ from the chosen ones.
    const stuck = run.reference.filter(
      (e) => e.move !== 'reset' && e.info.executedAction !== e.move,
    );
    expect(stuck.length).toBeGreaterThan(5);
  });

  it('NoopStart draws the same no-op counts after the restore', () => {
    const make = () => new NoopStart(new ScriptedEnv({ episodeLength: 6 }), 10);
    const env = make();
    env.reset({ seed: 9 });
    play(env, [1, 1]);
    const run = resumeThreeWays(env, make(), tail(4));
    expect(run.again).toEqual(run.reference);
    expect(run.fresh).toEqual(run.reference);
    // Several resets, and they start at different steps (the no-op counts differ).
    const starts = run.reference.filter((e) => e.move === 'reset').map((e) => e.observation);
    expect(starts.length).toBeGreaterThan(4);
    expect(new Set(starts).size).toBeGreaterThan(1);
  });

  it('TimeLimit and MaxAndSkipObservation hand their inner state through', () => {
    const make = () =>
      new TimeLimit(
        new MaxAndSkipObservation(
          new ScriptedScreenEnv({ episodeLength: 50 }, (s, x, y) => (s * 31 + x * y) & 0xff),
          { skip: 3, width: 16, height: 15 },
        ),
        30,
      );
    const env = make();
    env.reset({ seed: 1 });
    play(env, [0, 1, 2]);
    expect(env.getState()).toEqual({ steps: 9, score: 9 });
    const run = resumeThreeWays(env, make(), actionScript(12, 4, 7), [1, 2]);
    expect(run.again).toEqual(run.reference);
    expect(run.fresh).toEqual(run.reference);
    expect(run.reference.some((e) => e.truncated)).toBe(true);
  });

  it('TerminalOnLifeLoss restored between a lost life and the reset continues the game', () => {
    const make = () =>
      new TerminalOnLifeLoss(
        new ScriptedEnv({ lives: (s) => (s < 3 ? 3 : s < 5 ? 2 : 1), episodeLength: 7 }),
      );
    const env = make();
    env.reset({ seed: 1 });
    const lost = play(env, [0, 0, 0], false);
    expect(lost[2].terminated).toBe(true); // a life lost; the next reset continues the game
    const run = resumeThreeWays(env, make(), ['reset', ...tail(4)]);
    expect(run.again).toEqual(run.reference);
    expect(run.fresh).toEqual(run.reference);
    // The reset continued from step 3 (frames show the step count), it did not restart.
    expect(run.reference[0].observation).toBe(Buffer.alloc(6, 3).toString('base64'));
  });

  it('FrameStackObservation restores the stacked frames', () => {
    const make = () => new FrameStackObservation(new ScriptedEnv({ episodeLength: 11 }), 4);
    const env = make();
    env.reset({ seed: 1 });
    play(env, [0, 1, 2, 3, 0]);
    const run = resumeThreeWays(env, make(), tail(4));
    expect(run.again).toEqual(run.reference);
    expect(run.fresh).toEqual(run.reference);
  });

  it('the whole ALE stack continues exactly, and its state is plain JSON', () => {
    const options = {
      frameSkip: 2,
      screenSize: 20,
      stickyActionProbability: 0.25,
      noopMax: 5,
      maxEpisodeFrames: 40,
      terminalOnLifeLoss: true,
    };
    const make = () =>
      atariPreprocessing(
        new ScriptedScreenEnv(
          { episodeLength: 30, lives: (s) => 3 - Math.floor(s / 8) },
          (s, x, y) => (s * 17 + x + 3 * y) & 0xff,
        ),
        options,
      );
    const env = make();
    env.reset({ seed: 12 });
    play(env, actionScript(13, 4, 3));
    const state = env.getState?.() as { layer: string; inner: { layer: string } };
    expect(state.layer).toBe('frame-stack');
    expect(state.inner.layer).toBe('terminal-on-life-loss');
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const run = resumeThreeWays(env, make(), actionScript(30, 4, 5), [1, 2, 3]);
    expect(run.again).toEqual(run.reference);
    expect(run.fresh).toEqual(run.reference);
  });

  it('refuses a state from a different stack of wrappers, naming the layer, and changes nothing', () => {
    const sticky = new StickyAction(new ScriptedEnv(), 0.5);
    const stack = new FrameStackObservation(new StickyAction(new ScriptedEnv(), 0.5), 2);
    stack.reset({ seed: 3 });
    play(stack, [1, 2, 3]);
    const before = JSON.stringify(stack.getState());
    expect(() => stack.setState(sticky.getState())).toThrow(
      /frame-stack layer of the env: layer: .*frame-stack/,
    );
    // The inner layer's part is bad: refused before the outer layer changed.
    const bad = { ...JSON.parse(before), stack: Buffer.alloc(3).toString('base64') };
    expect(() => stack.setState(bad)).toThrow(/frame-stack state: not packed bytes/);
    const wrongInner = { ...JSON.parse(before), inner: { layer: 'noop-start' } };
    expect(() => stack.setState(wrongInner)).toThrow(/sticky-action layer/);
    expect(JSON.stringify(stack.getState())).toBe(before);
    expect(() => new TimeLimit(new StatelessEnv(), 5).getState()).toThrow(
      /StatelessEnv cannot save or restore its state/,
    );
    expect(canSaveState(stack)).toBe(true);
    expect(canSaveState(new TimeLimit(new StatelessEnv(), 5))).toBe(false);
  });
});

/** An env that cannot save its state (no getState/setState). */
class StatelessEnv implements Env {
  private readonly inner = new ScriptedEnv();
  readonly observationSpace = this.inner.observationSpace;
  readonly actionSpace = this.inner.actionSpace;
  reset(options?: ResetOptions) {
    return this.inner.reset(options);
  }
  step(action: number) {
    return this.inner.step(action);
  }
  close() {}
}
