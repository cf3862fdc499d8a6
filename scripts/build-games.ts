// Builds the bundled NES games (emulators/games/<id>/) with ca65 and ld65 (cc65 suite).
// Run as a script (`node bin/run-ts.mjs scripts/build-games.ts [id...]`) to rebuild every game
// into emulators/games/<id>/<id>.nes. The build is deterministic: the same sources always give
// byte-identical ROMs, so a test can rebuild into a temp file and compare with the committed one.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder holding one sub-folder per game, plus `shared/` include files. */
export const GAMES_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'emulators',
  'games',
);
const SHARED_DIR = join(GAMES_DIR, 'shared');

/** Ids of the games that can be built: folders with main.s and <id>.cfg. */
export function listGames(): string[] {
  return readdirSync(GAMES_DIR)
    .filter((id) => {
      const dir = join(GAMES_DIR, id);
      return (
        statSync(dir).isDirectory() &&
        existsSync(join(dir, 'main.s')) &&
        existsSync(join(dir, `${id}.cfg`))
      );
    })
    .sort();
}

/** Path of the committed ROM for a game. */
export function romPath(id: string): string {
  return join(GAMES_DIR, id, `${id}.nes`);
}

function checkTool(tool: string): void {
  try {
    execFileSync(tool, ['--version'], { stdio: 'pipe' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `${tool} not found on PATH: install the cc65 suite (Debian/Ubuntu: apt-get install cc65) to build the NES games`,
      );
    }
    throw err;
  }
}

function run(tool: string, args: string[]): void {
  try {
    execFileSync(tool, args, { stdio: 'pipe' });
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer; message: string };
    const out = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`.trim();
    throw new Error(`${tool} ${args.join(' ')} failed:\n${out || e.message}`);
  }
}

/** Assemble and link game `id` into `outFile`; object files go to a temp dir. */
export function buildGame(id: string, outFile: string): void {
  if (!listGames().includes(id)) throw new Error(`unknown game '${id}' (have: ${listGames()})`);
  checkTool('ca65');
  checkTool('ld65');
  const dir = join(GAMES_DIR, id);
  const tmp = mkdtempSync(join(tmpdir(), `build-${id}-`));
  try {
    const obj = join(tmp, `${id}.o`);
    run('ca65', ['-I', SHARED_DIR, '-I', dir, '-o', obj, join(dir, 'main.s')]);
    run('ld65', ['-C', join(dir, `${id}.cfg`), '-o', resolve(outFile), obj]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function main(args: string[]): void {
  const ids = args.length > 0 ? args : listGames();
  for (const id of ids) {
    const out = romPath(id);
    buildGame(id, out);
    console.log(`built ${id} -> ${out} (${statSync(out).size} bytes)`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`build-games: ${(err as Error).message}`);
    process.exit(1);
  }
}
