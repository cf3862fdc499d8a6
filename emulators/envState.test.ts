// Saving and restoring a real game env's state: the emulator snapshot codec, and a Brick env with
// ALE's conventions (sticky actions, no-op starts, terminal on life loss, frame cap) continuing
// exactly after a restore, in the same env and in a freshly built one.
import { describe, expect, it } from 'vitest';
import { actionScript, play, resumeThreeWays } from '../tests/support/envTrace.ts';
import { packBytes, unpackBytes } from './envState.ts';
import { makeGameEnv, makeNesEnv } from './index.ts';
import { packMachineState, unpackMachineState } from './nes/machineStateCodec.ts';

describe('emulator snapshot codec', () => {
  it('gives back the exact snapshot text, at a fraction of its size', () => {
    const env = makeNesEnv({ game: 'brick' });
    const snapshots = [env.machine.saveState()];
    env.reset({ seed: 3 });
    for (let t = 0; t < 120; t++) env.step(t % 4);
    snapshots.push(env.machine.saveState());
    for (const snapshot of snapshots) {
      const packed = packMachineState(snapshot);
      expect(unpackMachineState(packed)).toBe(snapshot);
      expect(packed.length).toBeLessThan(snapshot.length / 20);
    }
  });

  it('refuses damaged text with a clear error', () => {
    expect(() => unpackMachineState('not base64 deflate')).toThrow(/emulator state is damaged/);
    expect(() => unpackBytes(packBytes(new Uint8Array(5)), 6, 'frames')).toThrow(
      /frames: 5 bytes, expected 6/,
    );
  });
});

describe('a Brick env with ALE conventions', () => {
  const options = {
    game: 'brick',
    // Sticky actions are drawn per frame and info.executedAction is the last frame's: at 0.75 a
    // changed action is still the old one on that frame a third of the time, so the check below
    // sees the sticky stream at work within a short tail.
    stickyActionProbability: 0.75,
    noopMax: 30,
    terminalOnLifeLoss: true,
    // A short cap so the tail crosses episode ends (resets with fresh no-op starts).
    maxEpisodeFrames: 240,
  };

  it('continues bit for bit after a restore, in the same env and in a fresh one', () => {
    const env = makeGameEnv(options);
    env.reset({ seed: 21 });
    play(env, actionScript(37, env.actionSpace.n, 2));
    const tail = actionScript(90, env.actionSpace.n, 8);
    const run = resumeThreeWays(env, makeGameEnv(options), tail, tail.slice(0, 20));
    expect(run.again).toEqual(run.reference);
    expect(run.fresh).toEqual(run.reference);
    // The tail crosses episode ends and scores: the restored RNGs and counters were exercised.
    expect(run.reference.filter((e) => e.move === 'reset').length).toBeGreaterThanOrEqual(2);
    expect(run.reference.some((e) => e.info.executedAction !== e.move && e.move !== 'reset')).toBe(
      true,
    );
    // Compact: the whole stack's state (emulator included) is a few tens of KB of JSON.
    expect(run.stateBytes).toBeLessThan(40_000);
  });

  it('refuses the state of another game', () => {
    const brick = makeNesEnv({ game: 'brick' });
    const duel = makeNesEnv({ game: 'duel' });
    expect(() => duel.setState(brick.getState())).toThrow(
      /cannot restore a brick env state into a duel env/,
    );
  });
});
