/**
 * Measures each bundled game's baselines — the random agent and the scripted (RAM-reading) agent
 * over a fixed list of seeds under the arena's evaluation conditions — and writes them into the
 * game's manifest entry. Episodes run in parallel child processes (`arena play --json`), one per
 * core.
 *
 *   node bin/run-ts.mjs scripts/baselines.ts [--game ID] [--episodes 30] [--seed-start 1000]
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { summarise } from '../agents/evaluation/statistics.ts';
import { BUNDLED_MANIFEST_DIR, loadManifest } from '../emulators/manifest/index.ts';
import type { Baseline } from '../emulators/manifest/schema.ts';

const program = new Command('baselines')
  .option('--game <id>', 'only this game')
  .option('--episodes <n>', 'episodes per agent', (v) => Number(v), 30)
  .option('--seed-start <s>', 'seed of episode 0', (v) => Number(v), 1000)
  .option('--workers <n>', 'parallel processes', (v) => Number(v), availableParallelism())
  .parse();
const options = program.opts<{
  game?: string;
  episodes: number;
  seedStart: number;
  workers: number;
}>();

/** Conditions per game: Duel's baselines are against the normal computer opponent. */
const SETTINGS: Record<string, Record<string, string>> = { duel: { opponentLevel: 'normal' } };

function playChunk(args: string[]): Promise<{ seed: number; score: number; frames: number }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '..', 'bin', 'arena.mjs'), 'play', ...args, '--json'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`arena play ${args.join(' ')} exited ${code}`));
      const lines = out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      resolve(
        lines
          .filter((l) => 'seed' in l)
          .map((l) => ({ seed: l.seed, score: l.score, frames: l.frames })),
      );
    });
  });
}

export async function measureBaseline(
  game: string,
  agent: string,
  episodes: number,
  seedStart: number,
  workers: number,
): Promise<Baseline> {
  const settings = SETTINGS[game] ?? {};
  const settingArgs = Object.entries(settings).flatMap(([k, v]) => ['--setting', `${k}=${v}`]);
  const chunks: Promise<{ seed: number; score: number; frames: number }[]>[] = [];
  const per = Math.ceil(episodes / workers);
  for (let first = 0; first < episodes; first += per) {
    const count = Math.min(per, episodes - first);
    chunks.push(
      playChunk([
        '--game',
        game,
        '--agent',
        agent,
        '--episodes',
        String(count),
        '--seed',
        String(seedStart + first),
        ...settingArgs,
      ]),
    );
  }
  const results = (await Promise.all(chunks)).flat().sort((a, b) => a.seed - b.seed);
  const scores = results.map((r) => r.score);
  const s = summarise(scores);
  return {
    agent,
    episodes,
    seedStart,
    mean: s.mean,
    std: s.std ?? 0,
    median: s.median,
    min: s.min,
    max: s.max,
    ...(Object.keys(settings).length ? { settings } : {}),
    scores,
    frames: results.map((r) => r.frames),
  };
}

const games = loadManifest().filter(
  (e) => e.bundledRom && (!options.game || e.id === options.game),
);
for (const entry of games) {
  const file = join(BUNDLED_MANIFEST_DIR, `${entry.id}.json`);
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.baselines = {};
  for (const agent of ['random', 'scripted']) {
    const started = Date.now();
    const baseline = await measureBaseline(
      entry.id,
      agent,
      options.episodes,
      options.seedStart,
      options.workers,
    );
    json.baselines[agent] = baseline;
    console.log(
      `${entry.id} ${agent}: mean ${baseline.mean.toFixed(1)} ± sd ${baseline.std.toFixed(1)}, median ${baseline.median}, ` +
        `min ${baseline.min}, max ${baseline.max} (${baseline.episodes} episodes, ${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}
