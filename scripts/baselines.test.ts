/**
 * The baselines recorded in the manifest are reproduced exactly from their seeds, through the same
 * path that measured them (`arena play --json`). Re-running all 30 episodes of every baseline
 * would take long, so this replays the two first episodes of each random baseline and the
 * shortest episode of each scripted one; the summary figures are checked against the recorded
 * per-episode scores.
 */
import { describe, expect, it } from 'vitest';
import { summarise } from '../agents/evaluation/statistics.ts';
import { findEntry, loadManifest } from '../emulators/manifest/index.ts';
import { runCli } from '../tests/support/cli.ts';

const SETTINGS: Record<string, string[]> = { duel: ['--setting', 'opponentLevel=normal'] };
// Games whose baselines have been measured (`npm run baselines`); a bundled game without them
// has no normalised scores, which the leaderboard shows as such.
const measured = loadManifest().filter(
  (entry) => entry.bundledRom && entry.baselines.random && entry.baselines.scripted,
);

describe.each(measured)('baselines of $id', (entry) => {
  it('has random and scripted baselines over 30 seeds, the scripted clearly better', () => {
    const { random, scripted } = entry.baselines;
    expect(random?.episodes).toBe(30);
    expect(scripted?.episodes).toBe(30);
    expect(random.scores).toHaveLength(30);
    const r = summarise(random.scores);
    const s = summarise(scripted.scores);
    expect(random.mean).toBeCloseTo(r.mean, 9);
    expect(scripted.median).toBe(s.median);
    // "Clearly": the 95% intervals do not overlap.
    expect(s.mean - (s.ci95 ?? 0)).toBeGreaterThan(r.mean + (r.ci95 ?? 0));
  });

  const play = (agent: string, seed: number, episodes: number) => {
    const result = runCli([
      'play',
      '--game',
      entry.id,
      '--agent',
      agent,
      '--seed',
      String(seed),
      '--episodes',
      String(episodes),
      '--json',
      ...(SETTINGS[entry.id] ?? []),
    ]);
    expect(result.status, result.stderr).toBe(0);
    return result.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line));
  };

  it('reproduces the random baseline episodes exactly', () => {
    const { random } = entry.baselines;
    const episodes = play('random', random.seedStart, 2);
    expect(episodes.map((e) => e.score)).toEqual(random.scores.slice(0, 2));
    expect(episodes.map((e) => e.frames)).toEqual(random.frames.slice(0, 2));
  });

  it('reproduces the shortest scripted baseline episode exactly', () => {
    const { scripted } = entry.baselines;
    const shortest = scripted.frames.indexOf(Math.min(...scripted.frames));
    const [episode] = play('scripted', scripted.seedStart + shortest, 1);
    expect(episode).toMatchObject({
      score: scripted.scores[shortest],
      frames: scripted.frames[shortest],
    });
  }, 600_000);
});

describe('Duel baselines', () => {
  it('have the scripted player beat the normal computer in every game (first to 21)', () => {
    const { scripted } = findEntry('duel').baselines;
    expect(scripted?.settings).toEqual({ opponentLevel: 'normal' });
    expect(scripted?.scores.length).toBe(30);
    expect(scripted?.scores.every((points) => points === 21)).toBe(true);
  });
});
