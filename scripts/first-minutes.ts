/**
 * A newcomer's first minutes, measured: starts `arena serve` on an empty data folder, as
 * `npm start` does, and watches the API until every seeded agent has a leaderboard row and the
 * head-to-head ratings have every player that can be rated (or the time is up). Prints each
 * first as it happens, in seconds after the server listened, and one JSON object last.
 *
 *   node bin/run-ts.mjs scripts/first-minutes.ts [--minutes 6] [--workers N]
 *
 * The targets: every seeded agent ranked within 60 s, the first match recorded within 120 s.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '6' },
    workers: { type: 'string' },
  },
});
const limitMs = Number(values.minutes) * 60_000;
const root = resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'arena-first-minutes-'));
const args = ['bin/arena.mjs', 'serve', '--port', '0', '--data', dataDir];
if (values.workers) args.push('--workers', values.workers);
const server = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });

const started = Date.now();
const base = await new Promise<string>((done, fail) => {
  let text = '';
  server.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
    if (url) done(url);
  });
  server.on('exit', (code) => fail(new Error(`arena serve exited (${code}) before listening`)));
});
const listened = Date.now();
const seconds = () => Math.round((Date.now() - listened) / 100) / 10;
console.log(`listening after ${(listened - started) / 1000} s at ${base}`);

const get = async <T>(path: string): Promise<T> => {
  const response = await fetch(new URL(path, base));
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
};

type Row = { versionId: number; agentName: string };
const rowAt = new Map<string, number>();
let firstMatch: number | null = null;
let allRows: number | null = null;
let allRated: number | null = null;
let ratedAt120: number | null = null;
let candidates = 0;

while (Date.now() - listened < limitMs) {
  const { jobs } = await get<{ jobs: { versionId: number }[] }>('/api/jobs?limit=100');
  const games = (await get<{ games: { id: string }[] }>('/api/games')).games.map((g) => g.id);
  const ranked = new Set<number>();
  for (const game of games) {
    const { rows } = await get<{ rows: Row[] }>(`/api/leaderboards/${game}`);
    for (const row of rows) {
      ranked.add(row.versionId);
      const key = `${game}/${row.agentName}`;
      if (!rowAt.has(key)) {
        rowAt.set(key, seconds());
        console.log(`${seconds()} s: ${key} has a leaderboard row`);
      }
    }
  }
  if (allRows === null && jobs.length > 0 && jobs.every((j) => ranked.has(j.versionId))) {
    allRows = seconds();
    console.log(`${allRows} s: every seeded agent has a row`);
  }
  const { matches } = await get<{ matches: unknown[] }>('/api/matches?game=duel&limit=1');
  if (firstMatch === null && matches.length > 0) {
    firstMatch = seconds();
    console.log(`${firstMatch} s: first match recorded`);
  }
  const { ratings } = await get<{ ratings: unknown[] }>('/api/ratings?game=duel');
  candidates = (await get<{ agents: unknown[] }>('/api/agents?game=duel')).agents.length;
  if (ratedAt120 === null && seconds() >= 120) ratedAt120 = ratings.length;
  if (allRated === null && ratings.length >= candidates) {
    allRated = seconds();
    console.log(`${allRated} s: all ${candidates} Duel players rated`);
  }
  if (allRows !== null && allRated !== null && seconds() >= 120) break;
  await new Promise((r) => setTimeout(r, 1000));
}
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    listenSeconds: (listened - started) / 1000,
    rowSeconds: Object.fromEntries(rowAt),
    allRowsSeconds: allRows,
    firstMatchSeconds: firstMatch,
    duelPlayers: candidates,
    ratedAt120Seconds: ratedAt120,
    allRatedSeconds: allRated,
  }),
);
