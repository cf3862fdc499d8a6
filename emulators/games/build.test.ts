/**
 * The committed ROMs are exactly what the sources build. Runs wherever cc65 is installed; in CI
 * (CI=true) a missing cc65 is a failure, not a skip (.ci/run installs it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGame, listGames, romPath } from '../../scripts/build-games.ts';

function hasCc65(): boolean {
  try {
    execFileSync('ca65', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const available = hasCc65();
if (!available && process.env.CI === 'true')
  throw new Error('cc65 is required in CI (apt-get install cc65)');

describe.skipIf(!available)('bundled game ROMs', () => {
  it('lists both games', () => {
    expect(listGames()).toEqual(['brick', 'duel']);
  });

  for (const id of listGames()) {
    it(`rebuilds ${id}.nes byte for byte from its sources`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'arena-build-'));
      try {
        const out = join(dir, `${id}.nes`);
        buildGame(id, out);
        expect(Buffer.compare(readFileSync(out), readFileSync(romPath(id)))).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
