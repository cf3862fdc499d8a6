/**
 * The showcase's games come from the manifest: every game whose ROM is bundled, its trained
 * agent when a valid folder declares that game, and the built-in computer on a two-player game's
 * second controller at the manifest's default level.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifest } from '../emulators/manifest/index.ts';
import { defaultShowcase } from './live.ts';

const temp: string[] = [];
afterEach(async () => {
  for (const dir of temp.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('defaultShowcase', () => {
  it('plays every bundled game, two-player ones against the computer', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'arena-showcase-'));
    temp.push(empty);
    const bundled = loadManifest().filter((e) => e.bundledRom);
    const games = defaultShowcase(empty);
    expect(games.map((g) => g.game)).toEqual(bundled.map((e) => e.id));
    expect(games.length).toBeGreaterThanOrEqual(2);
    for (const game of games) {
      const entry = bundled.find((e) => e.id === game.game)!;
      expect(game.agent).toBe('scripted');
      if (entry.players === 2) {
        expect(game.opponent).toBe('cpu');
        expect(game.settings).toEqual({
          opponentLevel: entry.settings.opponentLevel!.default,
        });
      } else {
        expect(game.opponent).toBeUndefined();
      }
    }
  });

  it('ignores a folder whose agent.json is not a valid agent', async () => {
    const bundled = await mkdtemp(join(tmpdir(), 'arena-showcase-'));
    temp.push(bundled);
    await mkdir(join(bundled, 'broken'));
    // Names a game but fails the schema: it must not be played.
    await writeFile(join(bundled, 'broken', 'agent.json'), JSON.stringify({ game: 'brick' }));
    await writeFile(join(bundled, 'broken', 'model.json'), '{}');
    expect(defaultShowcase(bundled).every((g) => g.agent === 'scripted')).toBe(true);
  });
});
