/**
 * `arena roms`: list known games and ROMs, add a ROM (and its manifest entry), and search RAM to
 * write new entries.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { z } from 'zod';
import { makeBuiltinAgent } from '../../agents/builtin.ts';
import { buttonMaskOf, FULL_ACTION_SET } from '../../emulators/actions.ts';
import { UserError } from '../../emulators/errors.ts';
import {
  loadManifest,
  REPO_ROOT,
  readManifestFile,
  userRomFiles,
  userRomsDir,
} from '../../emulators/manifest/index.ts';
import { NesEnv } from '../../emulators/nes/nesEnv.ts';
import { parseRom } from '../../emulators/nes/rom.ts';
import { parseRelation, RamSearch } from '../../emulators/ramsearch.ts';
import { atariPreprocessing } from '../../emulators/wrappers/index.ts';
import { resolveGame } from '../gameSource.ts';
import { integerOption } from './options.ts';

export interface RomListing {
  id: string | null;
  title: string;
  sha1: string;
  status: 'bundled' | 'ready' | 'no ROM' | 'unknown';
  verified: boolean | null;
  file: string | null;
}

export function listRoms(): RomListing[] {
  const files = userRomFiles();
  const rows: RomListing[] = [];
  const known = new Set<string>();
  for (const entry of loadManifest()) {
    known.add(entry.sha1);
    const bundled =
      entry.bundledRom && existsSync(join(REPO_ROOT, entry.bundledRom))
        ? join(REPO_ROOT, entry.bundledRom)
        : null;
    const user = files.get(entry.sha1) ?? null;
    rows.push({
      id: entry.id,
      title: entry.title,
      sha1: entry.sha1,
      status: bundled ? 'bundled' : user ? 'ready' : 'no ROM',
      verified: entry.verified,
      file: bundled ?? user,
    });
  }
  for (const [sha1, file] of files) {
    if (!known.has(sha1))
      rows.push({ id: null, title: basename(file), sha1, status: 'unknown', verified: null, file });
  }
  return rows;
}

/** Validates everything first, then copies; a bad ROM or entry leaves the roms folder untouched. */
export function addRom(
  file: string,
  manifestFile?: string,
): { romPath: string; entryPath?: string; id?: string } {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  const bytes = new Uint8Array(readFileSync(file));
  const info = parseRom(bytes, file);
  const entry = manifestFile ? readManifestFile(manifestFile) : undefined;
  if (entry && entry.sha1 !== info.sha1) {
    throw new UserError(
      `${manifestFile}: the entry's sha1 ${entry.sha1} does not match ${file} (${info.sha1})`,
      'ROM_MISMATCH',
    );
  }
  const dir = userRomsDir();
  mkdirSync(join(dir, 'manifest'), { recursive: true });
  const romPath = join(dir, basename(file).replace(/\.[^.]*$/, '') + '.nes');
  const temporary = `${romPath}.partial`;
  copyFileSync(file, temporary);
  renameSync(temporary, romPath);
  if (!entry) return { romPath, id: loadManifest().find((e) => e.sha1 === info.sha1)?.id };
  const entryPath = join(dir, 'manifest', `${entry.id}.json`);
  writeFileSync(`${entryPath}.partial`, readFileSync(manifestFile as string));
  renameSync(`${entryPath}.partial`, entryPath);
  return { romPath, entryPath, id: entry.id };
}

export function register(program: Command): void {
  const roms = program
    .command('roms')
    .description('list, add and study ROMs (manifest entries, RAM search)');

  roms
    .command('list')
    .description('list known games and the ROMs in the roms folder, recognised by SHA-1')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => {
      const rows = listRoms();
      if (options.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      for (const row of rows) {
        const mark = row.verified === false ? ' (unverified entry)' : '';
        console.log(
          `${(row.id ?? '?').padEnd(20)} ${row.status.padEnd(8)} ${row.sha1}  ${row.title}${mark}`,
        );
      }
      if (rows.some((r) => r.status === 'unknown')) {
        console.log(
          '\nUnknown ROMs have no manifest entry: write one (see roms-manifest/README.md; `arena roms ramsearch` helps ' +
            'find addresses) and add it with `arena roms add FILE --manifest ENTRY.json`.',
        );
      }
      console.log(`\nROM folder: ${userRomsDir()}`);
    });

  roms
    .command('add <file>')
    .description(
      'copy a ROM you own into the roms folder (validated), optionally with its manifest entry',
    )
    .option('--manifest <entry.json>', 'a manifest entry for this ROM')
    .action((file: string, options: { manifest?: string }) => {
      const added = addRom(file, options.manifest);
      console.log(
        added.id
          ? `added ${added.romPath} as "${added.id}": play it with \`arena play --game ${added.id}\``
          : `added ${added.romPath}; it has no manifest entry yet (see \`arena roms list\`)`,
      );
    });

  roms
    .command('ramsearch')
    .description(
      'find RAM addresses (score, lives, ...) by playing and saying how the value changed',
    )
    .option('--game <id>', 'a game from the manifest')
    .option('--rom <file>', 'a ROM file that has a manifest entry')
    .option('--agent <name>', 'who plays on `run N`: random or scripted', 'random')
    .option('--seed <s>', 'episode seed', integerOption(0, 2 ** 31 - 1), 0)
    .option(
      '--script <file>',
      'read commands from a file (a recorded session) instead of the terminal',
    )
    .option(
      '--record <file>',
      'save the commands of this session so it can be replayed with --script',
    )
    .option(
      '--replay <file>',
      "an episode replay (the API's replay JSON): `replay N` plays its next N frames",
    )
    .action(async (options: RamSearchOptions) => {
      await ramSearchSession(options);
    });
}

interface RamSearchOptions {
  game?: string;
  rom?: string;
  agent: string;
  seed: number;
  script?: string;
  record?: string;
  replay?: string;
}

/** An episode replay: the game seed and one controller byte per frame (as `GET .../replay` serves). */
const replaySchema = z.object({
  settings: z.object({ gameSeed: z.number().int() }).passthrough().optional(),
  gameSeed: z.number().int().optional(),
  actions: z.array(z.number().int().min(0).max(255)),
});

function readReplay(file: string): { gameSeed: number; actions: number[] } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: not readable JSON: ${(error as Error).message}`);
  }
  const body = (json as { replay?: unknown }).replay ?? json;
  const parsed = replaySchema.safeParse(body);
  const gameSeed = parsed.success
    ? (parsed.data.gameSeed ?? parsed.data.settings?.gameSeed)
    : undefined;
  if (!parsed.success || gameSeed === undefined) {
    throw new UserError(
      `${file}: a replay needs "actions" (controller bytes) and a game seed (settings.gameSeed)`,
    );
  }
  return { gameSeed, actions: parsed.data.actions };
}

const HELP = `commands:
  run N            the agent plays N steps (4 frames each), then a snapshot is taken
  replay N         play the next N frames of the --replay episode, then snapshot
  hold ACTION N    hold an action (e.g. RIGHT, FIRE, LEFTFIRE) for N steps, then snapshot
  inc | dec | same | changed | eq N
                   keep the candidates whose value did that since the previous snapshot
  list [N]         show up to N candidates (default 20)
  reset [SEED]     start a new episode
  quit`;

async function ramSearchSession(options: RamSearchOptions) {
  const { entry, bytes } = resolveGame(options);
  const base = new NesEnv({ entry, rom: bytes, actions: FULL_ACTION_SET });
  const env = atariPreprocessing(base, { stickyActionProbability: 0, noopMax: 0 });
  const agent = makeBuiltinAgent(options.agent, {
    entry,
    actions: entry.actions,
    seed: options.seed,
    ram: () => base.machine.ram,
  });
  // The agent answers in the game's minimal set; map its choices into the full set the env uses.
  const fullIndexOf = entry.actions.map((name) =>
    FULL_ACTION_SET.findIndex((full) => buttonMaskOf(full) === buttonMaskOf(name)),
  );
  const fullIndexOfMask = new Map(FULL_ACTION_SET.map((name, i) => [buttonMaskOf(name), i]));
  const search = new RamSearch();
  const replay = options.replay ? readReplay(options.replay) : undefined;
  let replayFrame = 0;
  let { observation } = env.reset({ seed: options.seed });
  if (replay) {
    // The replay starts from its own episode: reset the machine with its seed, no wrappers' no-ops.
    base.reset({ seed: replay.gameSeed });
  }
  search.snapshot(base.machine.ram);
  const log: string[] = [];
  const interactive = !options.script && process.stdin.isTTY;
  const input = options.script
    ? readFileSync(options.script, 'utf8').split('\n')
    : createInterface({ input: process.stdin });
  if (interactive) console.log(`${entry.title}: ${search.count()} candidates.\n${HELP}`);
  const step = (action: number) => {
    const result = env.step(action);
    observation = result.observation;
    if (result.terminated || result.truncated) observation = env.reset().observation;
  };
  for await (const raw of input) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [word, ...args] = line.split(/\s+/);
    try {
      if (word === 'quit' || word === 'exit') break;
      if (word === 'help') console.log(HELP);
      else if (word === 'run') {
        const n = Number(args[0] ?? 1);
        for (let i = 0; i < n; i++) step(fullIndexOf[agent.act(observation)]);
        search.snapshot(base.machine.ram);
      } else if (word === 'hold') {
        const index = FULL_ACTION_SET.indexOf(args[0] ?? '');
        if (index < 0)
          throw new UserError(
            `unknown action "${args[0] ?? ''}"; actions: ${FULL_ACTION_SET.join(' ')}`,
          );
        const n = Number(args[1] ?? 1);
        for (let i = 0; i < n; i++) step(index);
        search.snapshot(base.machine.ram);
      } else if (word === 'replay') {
        if (!replay) throw new UserError('give --replay FILE to play a recorded episode');
        const n = Number(args[0] ?? 1);
        for (let i = 0; i < n && replayFrame < replay.actions.length; i++, replayFrame++) {
          const action = fullIndexOfMask.get(replay.actions[replayFrame]);
          if (action === undefined)
            throw new UserError(
              `replay frame ${replayFrame}: controller byte ${replay.actions[replayFrame]} is not an action`,
            );
          base.step(action);
        }
        search.snapshot(base.machine.ram);
      } else if (word === 'reset') {
        observation = env.reset({ seed: args[0] ? Number(args[0]) : undefined }).observation;
        search.snapshot(base.machine.ram);
      } else if (word === 'list') {
        printCandidates(search, Number(args[0] ?? 20));
      } else {
        const relation = parseRelation(line);
        if (!relation) throw new UserError(`unknown command "${line}" (try help)`);
        const left = search.narrow(relation);
        console.log(`${left} candidate${left === 1 ? '' : 's'} left`);
        if (left <= 10) printCandidates(search, 10);
      }
      log.push(line);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      console.log(`error: ${error.message}`);
      if (!interactive) throw error;
    }
  }
  if (options.record) writeFileSync(options.record, `${log.join('\n')}\n`);
  if (!interactive) printCandidates(search, 20);
}

function printCandidates(search: RamSearch, limit: number): void {
  for (const c of search.candidates(limit)) {
    console.log(
      `$${c.address.toString(16).padStart(4, '0')} ${c.encoding.padEnd(10)} = ${c.value}`,
    );
  }
}
