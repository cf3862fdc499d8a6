/**
 * First start: an empty store is seeded with the bundled games (manifest entries with a
 * `bundledRom`), the builtin agents (random, and scripted where the game has one) and any trained
 * agents under `agents/bundled/` (agent folders, found one or two levels deep), each with an
 * evaluation job, so a new user sees a leaderboard fill up right away. The pool serves jobs
 * round-robin, so the random agent's short episodes and the scripted agent's long ones progress
 * side by side under exactly the same conditions.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { checkAgentDir } from '../../agents/format/check.ts';
import { scriptedAgents } from '../../agents/scripted/index.ts';
import { loadGame, loadManifest, REPO_ROOT } from '../../emulators/manifest/index.ts';
import type { ManifestEntry } from '../../emulators/manifest/schema.ts';
import { type EvalJobPayload, versionDir } from '../eval/evaluator.ts';
import { EVAL_PRIORITY, enqueueEvaluation } from '../eval/jobs.ts';
import { isMatchOnly } from '../matches/computer.ts';
import type { JobQueue } from '../queue/jobQueue.ts';
import type { Storage } from '../storage/base.ts';
import { type JsonObject, type Owner, SYSTEM_OWNER } from '../storage/types.ts';

export const BUNDLED_AGENTS_DIR = join(REPO_ROOT, 'agents', 'bundled');

export interface SeedOptions {
  storage: Storage;
  queue: JobQueue<EvalJobPayload>;
  dataDir: string;
  log?: (line: string) => void;
  /** Where trained agents are looked for. Default `agents/bundled/`. */
  bundledDir?: string;
}

export interface SeedResult {
  seeded: boolean;
  games: string[];
  versions: number[];
}

/** Seeds an empty store (no games yet); does nothing otherwise. */
export async function seedStore(options: SeedOptions): Promise<SeedResult> {
  const { storage, queue } = options;
  const log = options.log ?? (() => {});
  if (storage.listGames().length > 0) return { seeded: false, games: [], versions: [] };
  const entries = loadManifest().filter((e) => e.bundledRom && romAvailable(e.id, log));
  const owner = storage.createOwner({ name: SYSTEM_OWNER });
  const versions: number[] = [];
  const quick = new Set<number>();
  for (const entry of entries) {
    storage.upsertGame({
      id: entry.id,
      title: entry.title,
      romSha1: entry.sha1,
      baselines: baselinesOf(entry),
    });
    const builtins = ['random', ...(scriptedAgents[entry.id] ? ['scripted'] : [])];
    for (const name of builtins) {
      const id = addVersion(storage, {
        owner,
        gameId: entry.id,
        name,
        kind: 'builtin',
        metadata: { builtin: name },
      });
      versions.push(id);
      if (name === 'random') quick.add(id);
    }
  }
  for (const dir of agentFolders(options.bundledDir ?? BUNDLED_AGENTS_DIR)) {
    try {
      const checked = await checkAgentDir(dir);
      const entry = entries.find((e) => e.id === checked.meta.game);
      if (!entry) continue;
      await checkAgentDir(dir, { expectedActions: entry.actions, expectedGame: entry.id });
      const id = addVersion(storage, {
        owner,
        gameId: entry.id,
        name: checked.meta.name,
        kind: 'uploaded',
        metadata: {
          agent: checked.meta as unknown as JsonObject,
          files: checked.files,
          bundled: true,
        },
        modelPaths: checked.files,
      });
      await cp(dir, versionDir(options.dataDir, id), { recursive: true });
      versions.push(id);
    } catch (error) {
      log(`skipping bundled agent ${dir}: ${(error as Error).message}`);
    }
  }
  for (const id of versions) {
    await enqueueEvaluation(
      queue,
      id,
      quick.has(id) ? EVAL_PRIORITY.quickBaseline : EVAL_PRIORITY.baseline,
    );
  }
  log(`seeded ${entries.length} game(s) and ${versions.length} agent(s); evaluations queued`);
  return { seeded: true, games: entries.map((e) => e.id), versions };
}

interface NewSeedVersion {
  owner: Owner;
  gameId: string;
  name: string;
  kind: 'builtin' | 'uploaded';
  metadata: JsonObject;
  modelPaths?: string[];
}

function addVersion(storage: Storage, v: NewSeedVersion): number {
  const agent =
    storage.findAgent({ gameId: v.gameId, name: v.name }) ??
    storage.createAgent({ ownerId: v.owner.id, gameId: v.gameId, name: v.name, kind: v.kind });
  return storage.addAgentVersion({
    agentId: agent.id,
    metadata: v.metadata,
    modelPaths: v.modelPaths ?? [],
  }).id;
}

function romAvailable(id: string, log: (line: string) => void): boolean {
  try {
    loadGame(id);
    return true;
  } catch (error) {
    log(`not seeding ${id}: ${(error as Error).message}`);
    return false;
  }
}

function baselinesOf(entry: ManifestEntry): { random: number; scripted: number } | null {
  const random = entry.baselines.random?.mean;
  const scripted = entry.baselines.scripted?.mean;
  return random !== undefined && scripted !== undefined && scripted !== random
    ? { random, scripted }
    : null;
}

/** Folders holding an agent.json, at most two levels under `root`. */
export function agentFolders(root: string): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (existsSync(join(dir, 'agent.json'))) {
      found.push(dir);
      return;
    }
    if (depth === 0) return;
    for (const name of readdirSync(dir).sort()) {
      const child = join(dir, name);
      if (statSync(child).isDirectory()) visit(child, depth - 1);
    }
  };
  visit(root, 2);
  return found;
}

/**
 * Enqueues an evaluation for every version with fewer than `episodes` recorded episodes. Run at
 * start-up, it covers a crash between creating a version and enqueueing its job (upload or
 * seeding), and a raised episode count; live jobs are deduplicated by the queue.
 */
export async function ensureEvaluations(opts: {
  storage: Storage;
  queue: JobQueue<EvalJobPayload>;
  episodes: number;
}): Promise<number> {
  let created = 0;
  for (const agent of opts.storage.listAgents()) {
    // Remote agents play their episodes over the network (`server/remote/`), never in a worker.
    if (agent.kind === 'remote') continue;
    for (const version of opts.storage.getAgentDetails(agent.id)?.versions ?? []) {
      if ((version.stats?.summary.n ?? 0) >= opts.episodes) continue;
      // The computer's reference players are rated by matches only.
      if (isMatchOnly(version)) continue;
      if ((await enqueueEvaluation(opts.queue, version.id)).created) created++;
    }
  }
  return created;
}
