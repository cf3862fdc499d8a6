import { describe, expect, it } from 'vitest';
import { makeProbeEnv, PROBE_RAM } from '../../tests/support/probe.ts';
import { atariPreprocessing } from '../wrappers/index.ts';

const NOOP = 0;
const FIRE = 1;
const B = 2;
const LEFT = 3;
const RIGHT = 4;

describe('NesEnv (frame level)', () => {
  it('boots through the manifest sequence to play and reports info', () => {
    const env = makeProbeEnv();
    const { observation, info } = env.reset({ seed: 7 });
    expect(env.machine.readRam(PROBE_RAM.playing)).toBe(1);
    expect(info).toMatchObject({ lives: 3, score: 0, episodeFrame: 0, executedAction: 0, seed: 7 });
    expect(observation).toHaveLength(256 * 240);
    expect(env.actionSpace.names).toEqual(['NOOP', 'FIRE', 'B', 'LEFT', 'RIGHT']);
  });

  it('rewards the change in score, which the seed changes (probe: 1 + (seed & 3) a press)', () => {
    for (const seed of [0, 1, 2, 3]) {
      const env = makeProbeEnv();
      env.reset({ seed });
      // The probe scores on the frame a press is first seen; holding FIRE does not repeat.
      const rewards = [FIRE, FIRE, NOOP, FIRE, NOOP].map((action) => env.step(action).reward);
      expect(rewards).toEqual([1 + (seed & 3), 0, 0, 1 + (seed & 3), 0]);
      expect(env.readScore()).toBe(2 * (1 + (seed & 3)));
    }
  });

  it('counts lives down and terminates at game over', () => {
    const env = makeProbeEnv();
    env.reset({ seed: 1 });
    const lives: number[] = [];
    let terminated = false;
    for (let i = 0; i < 8 && !terminated; i++) {
      const result = env.step(i % 2 === 0 ? B : NOOP);
      if (result.terminated) expect(env.machine.readRam(PROBE_RAM.gameOver)).toBe(1);
      lives.push(result.info.lives);
      terminated = result.terminated;
    }
    expect(lives).toEqual([2, 2, 1, 1, 0]);
    expect(terminated).toBe(true);
  });

  it('moves with LEFT and RIGHT and reports the executed action', () => {
    const env = makeProbeEnv();
    env.reset({ seed: 1 });
    const start = env.machine.readRam(PROBE_RAM.spriteX);
    expect(env.step(RIGHT).info.executedAction).toBe(RIGHT);
    env.step(RIGHT);
    env.step(NOOP);
    expect(env.machine.readRam(PROBE_RAM.spriteX)).toBe(start + 4);
    env.step(LEFT);
    env.step(NOOP);
    expect(env.machine.readRam(PROBE_RAM.spriteX)).toBe(start + 2);
  });

  it('exposes the full action set on request', () => {
    const env = makeProbeEnv({ actions: 'full' });
    expect(env.actionSpace.n).toBe(28);
    expect(env.actionSpace.names.slice(0, 4)).toEqual(['NOOP', 'FIRE', 'UP', 'RIGHT']);
  });

  it('rejects out-of-range actions and unknown settings with clear errors', () => {
    const env = makeProbeEnv();
    env.reset({ seed: 1 });
    expect(() => env.step(9)).toThrow(/action 9 is outside 0\.\.4/);
    expect(() => makeProbeEnv({ settings: { level: 'hard' } })).toThrow(/has no setting "level"/);
  });

  it('provides RGB and palette-index frames', () => {
    const env = makeProbeEnv();
    env.reset({ seed: 1 });
    env.step(NOOP);
    const rgba = env.machine.screenRgba();
    const indices = env.machine.screenPaletteIndices();
    expect(rgba).toHaveLength(256 * 240 * 4);
    expect(indices.every((v) => v < 64)).toBe(true);
    // The probe's backdrop is palette colour $10 + (score & 15): a light gray at score 0.
    const centre = 120 * 256 + 40;
    expect(indices[centre]).toBe(0x10);
    expect([...rgba.subarray(centre * 4, centre * 4 + 4)]).toEqual([0xe7, 0xd5, 0xc4, 0xff]);
  });
});

describe('determinism', () => {
  function run(seed: number, actions: number[]) {
    const env = atariPreprocessing(makeProbeEnv());
    const frames: Uint8Array[] = [env.reset({ seed }).observation.slice()];
    const rewards: number[] = [];
    for (const action of actions) {
      const result = env.step(action);
      frames.push(result.observation.slice());
      rewards.push(result.reward);
    }
    return { frames, rewards };
  }
  const actions = Array.from({ length: 60 }, (_, i) => [FIRE, RIGHT, NOOP, LEFT, RIGHT][i % 5]);

  it('gives byte-identical observations and rewards for the same seed and actions', () => {
    const a = run(42, actions);
    const b = run(42, actions);
    expect(b.rewards).toEqual(a.rewards);
    for (let i = 0; i < a.frames.length; i++)
      expect(Buffer.compare(a.frames[i], b.frames[i])).toBe(0);
  });

  it('gives different play for different seeds', () => {
    const a = run(1, actions);
    const b = run(2, actions);
    expect(b.rewards).not.toEqual(a.rewards);
  });

  it('continues identically after a save/restore round trip', () => {
    const env = makeProbeEnv();
    env.reset({ seed: 5 });
    for (let i = 0; i < 10; i++) env.step(i % 2 ? FIRE : RIGHT);
    const saved = env.saveState();
    const tail = [FIRE, NOOP, RIGHT, FIRE, LEFT, B, FIRE];
    const first = tail.map((a) => {
      const r = env.step(a);
      return { reward: r.reward, frame: r.observation.slice(), info: { ...r.info } };
    });
    for (let i = 0; i < 30; i++) env.step(FIRE); // wander off
    env.loadState(saved);
    const second = tail.map((a) => {
      const r = env.step(a);
      return { reward: r.reward, frame: r.observation.slice(), info: { ...r.info } };
    });
    expect(second.map((s) => s.reward)).toEqual(first.map((s) => s.reward));
    expect(second.map((s) => s.info)).toEqual(first.map((s) => s.info));
    for (let i = 0; i < tail.length; i++) expect(second[i].frame).toEqual(first[i].frame);
  });
});
