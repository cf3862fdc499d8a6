/**
 * Shared set-up for the server tests: a real server on a temporary data folder and a free port,
 * a tiny valid TF.js agent made with the format helper, uploads, and store snapshots (row counts
 * and files) to prove that rejected requests change nothing.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTf } from '../../agents/dqn/tfBackend.ts';
import { saveAgentDir } from '../../agents/format/io.ts';
import { loadManifest } from '../../emulators/manifest/index.ts';
import { type RunningServer, startServer } from '../../server/app.ts';
import type { ServerConfigInput } from '../../server/config.ts';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Closes the server and removes its data folder (unless the test passed its own). */
  dispose(): Promise<void>;
}

/** Fast rules for tests: few, short episodes (every agent still gets the same ones). */
export const TEST_CONDITIONS = { episodes: 3, maxEpisodeFrames: 300 };

export async function startTestServer(input: ServerConfigInput = {}): Promise<TestServer> {
  // A test that brings its own data folder manages it; otherwise the server gets a fresh one.
  const ownFolder = input.dataDir === undefined;
  const dataDir = input.dataDir ?? (await mkdtemp(join(tmpdir(), 'arena-server-test-')));
  const server = await startServer({
    port: 0,
    dataDir,
    seed: false,
    // The Duel scheduler would take workers from the evaluations a test watches; tests that
    // want matches ask for them.
    matches: false,
    // No trained agents unless a test brings its own: the repository's agents/bundled/ would add
    // DQN agents (and their evaluations) to every seeded test server.
    bundledDir: join(dataDir, 'no-bundled-agents'),
    workers: 1,
    maxUploadBytes: 1024 * 1024,
    rateLimits: { registrationsPerHour: 1000, uploadsPerHour: 1000, requestsPerMinute: 100_000 },
    ...input,
    conditions: { ...TEST_CONDITIONS, ...input.conditions },
  }).catch(async (error: unknown) => {
    // A start that fails (a test of bad configuration or a busy port) leaves no folder behind.
    if (ownFolder) await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  if (!input.seed) {
    const brick = loadManifest().find((e) => e.id === 'brick')!;
    server.storage.upsertGame({
      id: 'brick',
      title: brick.title,
      romSha1: brick.sha1,
      baselines: null,
    });
  }
  return {
    ...server,
    dataDir,
    async dispose() {
      await server.close();
      if (ownFolder) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function api(
  server: { url: string },
  path: string,
  init: RequestInit = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers field by field.
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}/api${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML pages stay text.
  }
  return { status: response.status, body };
}

export async function register(server: { url: string }, name: string): Promise<string> {
  const { status, body } = await api(server, '/owners', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (status !== 201) throw new Error(`registering ${name}: ${status} ${JSON.stringify(body)}`);
  return body.token as string;
}

/** Writes a tiny valid agent folder for brick (average pool, flatten, dense) and returns its path. */
export async function makeTinyAgent(
  dir: string,
  overrides: { actions?: string[] } = {},
): Promise<string> {
  // The plain cpu backend is plenty for a tiny model and keeps native code out of the test process.
  const { tf } = await getTf({ quiet: true, backend: 'cpu' });
  const actions = overrides.actions ?? loadManifest().find((e) => e.id === 'brick')!.actions;
  const model = tf.sequential({
    layers: [
      tf.layers.averagePooling2d({ inputShape: [84, 84, 4], poolSize: 12, strides: 12 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: actions.length, kernelInitializer: 'glorotUniform' }),
    ],
  });
  await saveAgentDir(dir, {
    tf,
    model,
    meta: {
      name: 'tiny',
      game: 'brick',
      actions,
      observation: {
        frameStack: 4,
        height: 84,
        width: 84,
        layout: 'NHWC',
        pixels: 'grayscale-0-255',
        frameSkip: 4,
      },
      network: { kind: 'tiny-test', dueling: false, parameters: model.countParams() },
      training: { algorithm: 'none', steps: 0, frames: 0 },
      backend: 'cpu',
      licence: 'MIT',
    },
  });
  model.dispose();
  return dir;
}

/** The folder's files as name → bytes. */
export async function readFolder(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of (await readdir(dir)).sort())
    files.set(name, new Uint8Array(await readFile(join(dir, name))));
  return files;
}

export interface UploadOptions {
  token?: string;
  name?: string;
  game?: string;
  files?: Map<string, Uint8Array>;
  archive?: { name: string; bytes: Uint8Array };
}

export async function upload(server: { url: string }, opts: UploadOptions) {
  const form = new FormData();
  if (opts.name !== undefined) form.set('name', opts.name);
  if (opts.game !== undefined) form.set('game', opts.game);
  for (const [name, bytes] of opts.files ?? [])
    form.append('files', new Blob([new Uint8Array(bytes)]), name);
  if (opts.archive)
    form.append('archive', new Blob([new Uint8Array(opts.archive.bytes)]), opts.archive.name);
  return api(server, '/agents', {
    method: 'POST',
    headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
    body: form,
  });
}

/** Row counts of every table an upload or evaluation touches, plus the files under agents/ and tmp/. */
export async function snapshot(
  server: TestServer,
): Promise<{ rows: Record<string, number>; files: string[] }> {
  const rows: Record<string, number> = {};
  for (const table of [
    'owners',
    'agents',
    'agent_versions',
    'episodes',
    'replays',
    'eval_jobs',
    'version_stats',
  ]) {
    rows[table] = (
      server.storage.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }
    ).n;
  }
  const files: string[] = [];
  for (const top of ['agents', 'tmp']) {
    const dir = join(server.dataDir, top);
    const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
    files.push(...entries.map((e) => `${top}/${e}`));
  }
  return { rows, files: files.sort() };
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined/false. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/** Waits until no evaluation is queued or running, so row counts only change by the request under test. */
export async function settle(server: TestServer): Promise<void> {
  await waitFor(
    async () => {
      const counts = (await api(server, '/jobs')).body.counts;
      return counts.queued === 0 && counts.running === 0;
    },
    { timeoutMs: 120_000, intervalMs: 100, what: 'evaluations to finish' },
  );
}
