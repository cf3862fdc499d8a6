/** The replay recorder's score is the game's own score; its controller bytes replay the episode. */
import { describe, expect, it } from 'vitest';
import { makeNesEnv } from '../../emulators/index.ts';
import { replayEpisode } from '../../server/eval/replay.ts';
import { ReplayRecorder } from './recorder.ts';

describe('ReplayRecorder', () => {
  it("keeps Duel's score as the player's points, not the point difference it rewards", () => {
    const base = makeNesEnv({ game: 'duel', settings: { opponentLevel: 'normal' } });
    const recorder = new ReplayRecorder(base);
    recorder.reset({ seed: 4 });
    let rewards = 0;
    // A paddle that never moves concedes points to the computer: rewards go negative.
    for (let frame = 0; frame < 4000; frame++) rewards += recorder.step(0).reward;
    expect(rewards).toBeLessThan(0);
    expect(recorder.score).toBe(base.readScore());
    expect(recorder.score).toBeGreaterThanOrEqual(0);
    const replayed = replayEpisode({
      game: 'duel',
      gameSettings: { opponentLevel: 'normal' },
      gameSeed: recorder.gameSeed,
      actions: recorder.actions(),
    });
    expect(replayed.score).toBe(recorder.score);
    expect(replayed.frames).toBe(4000);
    base.close();
  });
});
