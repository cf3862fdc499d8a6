/**
 * The API surface against a real server: health, the OpenAPI document and docs page, owner
 * registration, and malformed requests (each a 4xx of the stable error shape, store unchanged).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, register, snapshot, startTestServer, type TestServer } from './helpers.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ rateLimits: { registrationsPerHour: 10 } });
});

afterAll(async () => {
  await server?.dispose();
});

const post = (body: string, contentType = 'application/json') => ({
  method: 'POST',
  headers: { 'content-type': contentType },
  body,
});

describe('API', () => {
  it('reports health, games and security headers', async () => {
    const response = await fetch(`${server.url}/api/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBeTruthy();
    expect(response.headers.get('x-powered-by')).toBeNull();
    const body = await response.json();
    expect(body.status).toBe('ok');
    expect(body.conditions.stickyActionProbability).toBe(0.25);
    const games = await api(server, '/games');
    expect(games.body.games.map((g: { id: string }) => g.id)).toEqual(['brick']);
    expect(games.body.games[0].actions).toContain('NOOP');
  });

  it('serves an OpenAPI 3 document whose read-only paths all answer, and a docs page', async () => {
    const doc = await api(server, '/openapi.json');
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const [path, methods] of Object.entries(
      doc.body.paths as Record<string, Record<string, unknown>>,
    )) {
      // Owner-only reads answer 401 without a token; their own tests cover them.
      if (!('get' in methods) || (methods.get as { security?: unknown }).security) continue;
      const concrete = path.replace('{gameId}', 'brick').replace(/\{\w+\}/g, '1');
      const res = await api(server, concrete);
      expect([200, 404], `${path} -> ${res.status}`).toContain(res.status);
      if (res.status === 404) expect(res.body.error.code).toBe('NOT_FOUND');
    }
    const docs = await fetch(`${server.url}/api/docs`);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toContain('/api/leaderboards/{gameId}');
  });

  it('registers an owner once and returns a token that authenticates', async () => {
    const token = await register(server, 'carol');
    expect(token).toMatch(/^aa_/);
    expect(server.storage.authenticate(token)?.name).toBe('carol');
    const again = await api(server, '/owners', post(JSON.stringify({ name: 'carol' })));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
  });

  const malformed: [string, string, RequestInit, number][] = [
    ['invalid JSON', '/owners', post('{"name":'), 400],
    ['a missing field', '/owners', post('{}'), 400],
    ['an extra field', '/owners', post(JSON.stringify({ name: 'dave', admin: true })), 400],
    ['a bad name', '/owners', post(JSON.stringify({ name: '<script>' })), 400],
    [
      'a body over the size limit',
      '/owners',
      post(JSON.stringify({ name: 'x'.repeat(40_000) })),
      413,
    ],
    ['a non-numeric id', '/agents/abc', {}, 400],
    ['an unknown query parameter', '/jobs?sort=desc', {}, 400],
    ['a bad job state', '/jobs?state=done', {}, 400],
    ['an unknown game', '/leaderboards/pong', {}, 404],
    ['an unknown route', '/nothing/here', {}, 404],
  ];
  for (const [what, path, init, status] of malformed) {
    it(`answers ${what} with ${status} and the error shape, changing nothing`, async () => {
      const before = await snapshot(server);
      const res = await api(server, path, init);
      expect(res.status).toBe(status);
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(typeof res.body.error.code).toBe('string');
      expect(res.body.error.message.length).toBeGreaterThan(0);
      expect(await snapshot(server)).toEqual(before);
    });
  }

  it('rate-limits registrations', async () => {
    let limited = 0;
    for (let i = 0; i < 6; i++) {
      const res = await api(server, '/owners', post(JSON.stringify({ name: `user${i}` })));
      if (res.status === 429) {
        limited++;
        expect(res.body.error.code).toBe('RATE_LIMITED');
      }
    }
    expect(limited).toBeGreaterThan(0);
  });
});
