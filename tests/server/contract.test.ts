/**
 * The API against its own description, on a real server: the routes the express app registers
 * are exactly those of `API_ROUTES` (so a route added without a schema fails here), and every
 * route, called live with valid inputs, answers each documented status with a body its response
 * schema accepts (strict schemas: no field missing, none extra). Each route that documents error
 * codes is also called with a bad input and must answer one of them in the error shape.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGame } from '../../emulators/manifest/index.ts';
import { API_ROUTES, type ApiRoute } from '../../server/api/openapi.ts';
import { createApp } from '../../server/app.ts';
import { refitRatings } from '../../server/matches/ratings.ts';
import { recordLeg } from '../../server/matches/record.ts';
import { runMatchTask } from '../../server/matches/runMatch.ts';
import type { MatchLegResult, MatchTask } from '../../server/matches/task.ts';
import { ERROR_STATUS, errorBody } from '../../server/protocol/errors.ts';
import { SqliteJobQueue } from '../../server/queue/sqliteJobQueue.ts';
import { addAgent, freshStorage } from '../support/storeFixtures.ts';
import {
  makeTinyAgent,
  readFolder,
  register,
  startTestServer,
  type TestServer,
  upload,
} from './helpers.ts';

let server: TestServer;
let work: string;
let agentFiles: Map<string, Uint8Array>;
/** Ids of what the set-up made, for the routes' path and query parameters. */
const seeded = {
  token: '',
  ownerId: 0,
  /** An agent of the token's owner whose version has a whole evaluation's episodes. */
  agentId: 0,
  versionId: 0,
  episodeId: 0,
  /** A version of the token's owner that the DELETE route removes. */
  doomedAgentId: 0,
  /** An uploaded version (with a training log) and its evaluation job. */
  uploadedVersionId: 0,
  jobId: '',
  matchId: 0,
};

/** A short training log: the uploaded version's `/training-log` then answers 200, not 204. */
const TRAINING_LOG = [
  '{"type":"train","step":1000,"charts/mean_return_100":2.5,"charts/epsilon":0.5}',
  '{"type":"episode","step":900,"charts/episodic_return":3}',
  '{"type":"eval","step":1000,"eval/mean":6,"eval/ci95_low":4,"eval/ci95_high":8,"eval/episodes":5}',
].join('\n');

/** Frame cap of the one recorded match: enough for a replay, short for a busy machine. */
const MATCH_FRAMES = 120;

beforeAll(async () => {
  server = await startTestServer({ showcase: false });
  const { storage } = server;
  seeded.token = await register(server, 'contract');
  seeded.ownerId = storage.authenticate(seeded.token)!.id;

  // A version whose evaluation has ended (the episodes per evaluation, each with a replay), so
  // its replays are published; and one to delete.
  const evaluated = addAgent(storage, { owner: 'contract', name: 'evaluated' });
  seeded.agentId = evaluated.agentId;
  seeded.versionId = evaluated.versionIds[0];
  const episodes = storage.recordEpisodes(
    Array.from({ length: server.config.conditions.episodes }, (_, i) => ({
      versionId: seeded.versionId,
      score: 10 + i,
      frames: 4,
      seed: 100 + i,
      outcome: 'OK' as const,
      replay: {
        romSha1: 'a'.repeat(40),
        seed: 100 + i,
        settings: { gameSeed: 100 + i },
        actions: new Uint8Array([0, 1, 2, 3]),
      },
    })),
  );
  seeded.episodeId = episodes[0].id;
  seeded.doomedAgentId = addAgent(storage, { owner: 'contract', name: 'doomed' }).agentId;

  // A remote agent of the same owner with an episode it forfeited, for `/remote/episodes`.
  const remote = addAgent(storage, { owner: 'contract', name: 'remote', kind: 'remote' });
  storage.recordEpisodes([
    {
      versionId: remote.versionIds[0],
      score: 0,
      frames: 60,
      seed: 7,
      outcome: 'TIMEOUT',
      reason: 'late replies after the time bank ran out',
    },
  ]);

  work = await mkdtemp(join(tmpdir(), 'arena-contract-'));
  agentFiles = await readFolder(await makeTinyAgent(join(work, 'tiny')));
  const uploaded = await upload(server, {
    token: seeded.token,
    name: 'logged',
    files: new Map(agentFiles).set('training-log.jsonl', new TextEncoder().encode(TRAINING_LOG)),
  });
  if (uploaded.status !== 201) throw new Error(`upload: ${JSON.stringify(uploaded.body)}`);
  seeded.uploadedVersionId = uploaded.body.version.id;
  seeded.jobId = uploaded.body.job.id;

  // One real match of the two-player game (both legs), rated, with a replay to watch.
  const entry = loadGame('duel').entry;
  const duel = { id: 'duel', title: entry.title, romSha1: entry.sha1, baselines: null };
  const players = ['scripted', 'random'].map(
    (name) =>
      addAgent(storage, { owner: 'arena', game: duel, name, kind: 'builtin' }).versionIds[0],
  );
  const task: MatchTask = {
    game: 'duel',
    conditions: { ...server.config.conditions, maxEpisodeFrames: MATCH_FRAMES },
    seed: 3,
    players: [
      { kind: 'agent', name: 'scripted', agent: { kind: 'builtin', name: 'scripted' } },
      { kind: 'agent', name: 'random', agent: { kind: 'builtin', name: 'random' } },
    ],
  };
  const legs: MatchLegResult[] = [];
  await runMatchTask(task, (leg) => legs.push(leg));
  for (const result of legs) {
    const versionIds: [number, number] = [players[0], players[1]];
    seeded.matchId = recordLeg(storage, { task, versionIds, result }).id;
  }
  refitRatings(storage, 'duel');
}, 300_000);

afterAll(async () => {
  await server?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

interface LiveRequest {
  /** Relative to `/api`, parameters filled in. */
  path: string;
  init?: RequestInit;
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const bearer = (): RequestInit => ({ headers: { authorization: `Bearer ${seeded.token}` } });

/**
 * A valid call of each route, keyed `METHOD /path` as in `API_ROUTES`; a route with more than one
 * success status has one call per status.
 */
const VALID_REQUESTS: Record<string, () => LiveRequest[]> = {
  'GET /health': () => [{ path: '/health' }],
  'GET /games': () => [{ path: '/games' }],
  'GET /games/{gameId}': () => [{ path: '/games/brick' }],
  'POST /owners': () => [{ path: '/owners', init: json('POST', { name: 'second-owner' }) }],
  'GET /agents': () => [{ path: `/agents?game=brick&owner=${seeded.ownerId}` }],
  'POST /agents': () => {
    const form = new FormData();
    form.set('name', 'uploaded-here');
    form.set('game', 'brick');
    for (const [name, bytes] of agentFiles)
      form.append('files', new Blob([new Uint8Array(bytes)]), name);
    return [{ path: '/agents', init: { method: 'POST', ...bearer(), body: form } }];
  },
  'GET /agents/{id}': () => [{ path: `/agents/${seeded.agentId}` }],
  'DELETE /agents/{id}/versions/{version}': () => [
    { path: `/agents/${seeded.doomedAgentId}/versions/1`, init: { method: 'DELETE', ...bearer() } },
  ],
  'GET /versions/{id}': () => [{ path: `/versions/${seeded.versionId}` }],
  'GET /versions/{id}/training-log': () => [
    { path: `/versions/${seeded.uploadedVersionId}/training-log` },
    // Seeded without a log: the 204 answer.
    { path: `/versions/${seeded.versionId}/training-log` },
  ],
  'GET /versions/{id}/episodes': () => [
    { path: `/versions/${seeded.versionId}/episodes?limit=10` },
  ],
  'GET /versions/{id}/episodes/{episodeId}/replay': () => [
    { path: `/versions/${seeded.versionId}/episodes/${seeded.episodeId}/replay` },
  ],
  'GET /leaderboards': () => [{ path: '/leaderboards?minEpisodes=1' }],
  'GET /leaderboards/{gameId}': () => [{ path: '/leaderboards/brick' }],
  'GET /jobs': () => [{ path: '/jobs?limit=10' }],
  'GET /jobs/{id}': () => [{ path: `/jobs/${seeded.jobId}` }],
  'GET /ratings': () => [{ path: '/ratings?game=duel' }],
  'GET /duel/ratings': () => [{ path: '/duel/ratings?game=duel' }],
  'GET /matches': () => [{ path: '/matches?game=duel&limit=10' }],
  'GET /matches/{id}': () => [{ path: `/matches/${seeded.matchId}` }],
  'GET /matches/{id}/replay': () => [{ path: `/matches/${seeded.matchId}/replay` }],
  'POST /matches/{id}/watch': () => [
    { path: `/matches/${seeded.matchId}/watch`, init: json('POST', { speed: 4 }) },
  ],
  'GET /remote/episodes': () => [{ path: '/remote/episodes', init: bearer() }],
  'GET /openapi.json': () => [{ path: '/openapi.json' }],
  'GET /docs': () => [{ path: '/docs' }],
};

const keyOf = (route: Pick<ApiRoute, 'method' | 'path'>) =>
  `${route.method.toUpperCase()} ${route.path}`;

/** What router 2 (express 5) keeps of each registered layer. */
interface RouterLayer {
  route?: { path: string | RegExp; methods: Record<string, boolean> };
  /** The path a router or middleware was mounted at (`app.use('/api', …)`). */
  rawPath?: unknown;
  handle: { stack?: RouterLayer[] };
}

/**
 * Every route of the app as `METHOD /path` (OpenAPI form: `:id` becomes `{id}`), found by walking
 * the router stack into each mounted router.
 */
function registeredRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = `${prefix}${String(layer.route.path)}`.replace(/:(\w+)/g, '{$1}');
        for (const method of Object.keys(layer.route.methods)) {
          found.push(`${method.toUpperCase()} ${path}`);
        }
      } else if (layer.handle.stack) {
        const mount =
          typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app.router as unknown as { stack: RouterLayer[] }).stack, '');
  return found;
}

async function call(request: LiveRequest) {
  const response = await fetch(`${server.url}/api${request.path}`, request.init);
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), text };
}

describe('API contract', () => {
  it('registers exactly the routes API_ROUTES describes', () => {
    // The same function builds the running server's app; this one is built only to be read
    // (startServer keeps its app to itself), on a store and queue of its own.
    const storage = freshStorage();
    const app = createApp(
      {
        storage,
        queue: new SqliteJobQueue({ db: storage.db }),
        config: server.config,
        workers: 0,
        log: () => {},
      },
      { clientDir: join(server.dataDir, 'no-dashboard') },
    );
    try {
      const registered = registeredRoutes(app);
      expect(new Set(registered).size, 'a route registered twice').toBe(registered.length);
      const api = registered.filter((r) => r.split(' ')[1].startsWith('/api/'));
      expect(api.sort()).toEqual(
        API_ROUTES.map((r) => keyOf({ ...r, path: `/api${r.path}` })).sort(),
      );
      // Outside /api only the way to the docs, while no dashboard is built.
      expect(registered.filter((r) => !api.includes(r))).toEqual(['GET /']);
    } finally {
      storage.close();
    }
  });

  it('has a live request for every route', () => {
    expect(Object.keys(VALID_REQUESTS).sort()).toEqual(API_ROUTES.map(keyOf).sort());
  });

  for (const route of API_ROUTES) {
    it(`${keyOf(route)} answers each documented status with a body its schema accepts`, async () => {
      const seen = new Set<string>();
      // A route without an entry fails below: none of its statuses seen.
      for (const request of VALID_REQUESTS[keyOf(route)]?.() ?? []) {
        const answer = await call(request);
        const spec = route.responses[answer.status];
        expect(spec, `${request.path} answered ${answer.status}: ${answer.text}`).toBeDefined();
        seen.add(String(answer.status));
        if (!spec?.schema) {
          expect(answer.text).toBe('');
          continue;
        }
        expect(answer.contentType).toContain(spec.contentType ?? 'application/json');
        const body = answer.contentType?.includes('json') ? JSON.parse(answer.text) : answer.text;
        const parsed = spec.schema.safeParse(body);
        expect(parsed.success, `${request.path}: ${parsed.error?.message}`).toBe(true);
      }
      expect([...seen].sort()).toEqual(Object.keys(route.responses).sort());
    });
  }

  /**
   * A request the route must refuse, from its description alone: no token where one is needed,
   * else a parameter no schema accepts (-1 is neither an id nor a game id), else a query
   * parameter the strict query schema does not know, else an empty required body.
   */
  function badRequest(route: ApiRoute): LiveRequest & { code: keyof typeof ERROR_STATUS } {
    const path = route.path.replace(/\{\w+\}/g, route.auth ? '1' : '-1');
    const method = route.method.toUpperCase();
    if (route.auth) return { path, init: { method }, code: 'UNAUTHORIZED' };
    if (route.params) return { path, init: { method }, code: 'BAD_REQUEST' };
    if (route.query) return { path: `${path}?unexpected=1`, init: { method }, code: 'BAD_REQUEST' };
    return { path, init: json(method, {}), code: 'BAD_REQUEST' };
  }

  for (const route of API_ROUTES.filter((r) => r.errors.length > 0)) {
    it(`${keyOf(route)} refuses a bad request with one of its documented errors`, async () => {
      const bad = badRequest(route);
      expect(route.errors).toContain(bad.code);
      const answer = await call(bad);
      expect(answer.status, answer.text).toBe(ERROR_STATUS[bad.code]);
      expect(answer.contentType).toContain('application/json');
      expect(errorBody.parse(JSON.parse(answer.text)).error.code).toBe(bad.code);
    });
  }

  it('answers an unknown route with NOT_FOUND in the error shape', async () => {
    const answer = await call({ path: '/no/such/route' });
    expect(answer.status).toBe(404);
    expect(errorBody.parse(JSON.parse(answer.text)).error.code).toBe('NOT_FOUND');
  });
});
