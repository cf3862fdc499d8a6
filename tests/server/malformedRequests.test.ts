/**
 * Requests the parsers refuse before any route runs, against a real server: a multipart upload
 * without a boundary, a JSON body in a charset the server does not read, a compression it does
 * not know, a path parameter that is not valid percent-encoding and bodies over the limits. Each
 * is a 4xx with an error code of the API (never a 500), and changes nothing in the store. Also:
 * the old `/duel/ratings` answers exactly what `/ratings` does.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGame } from '../../emulators/manifest/index.ts';
import { refitRatings } from '../../server/matches/ratings.ts';
import { ERROR_STATUS, errorBody } from '../../server/protocol/errors.ts';
import { addAgent } from '../support/storeFixtures.ts';
import { api, register, snapshot, startTestServer, type TestServer } from './helpers.ts';

let server: TestServer;
let token: string;

/** The server's JSON body limit here: small, so an oversized body is quick to send. */
const MAX_JSON_BYTES = 2048;

beforeAll(async () => {
  server = await startTestServer({ showcase: false, maxJsonBytes: MAX_JSON_BYTES });
  token = await register(server, 'sender');
  // Two duel players with one match between them, so the ratings table has rows to compare.
  const entry = loadGame('duel').entry;
  const duel = { id: 'duel', title: entry.title, romSha1: entry.sha1, baselines: null };
  const [a] = addAgent(server.storage, { game: duel, name: 'left' }).versionIds;
  const [b] = addAgent(server.storage, { game: duel, name: 'right' }).versionIds;
  server.storage.recordMatch({
    playerA: a,
    playerB: b,
    scoreA: 21,
    scoreB: 7,
    outcome: 'a',
    seed: 1,
  });
  refitRatings(server.storage, 'duel');
});

afterAll(async () => {
  await server?.dispose();
});

interface RawAnswer {
  status: number;
  body: unknown;
}

/**
 * One request with exactly these bytes, headers and path: fetch would fill in or refuse some of
 * them (Content-Length, a path it normalises).
 */
interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
}

function rawRequest(opts: RawRequest): Promise<RawAnswer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: opts.method, path: opts.path, headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Left as text: the assertions below then fail on the error shape.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const json = (body: string, headers: Record<string, string | number> = {}) => ({
  method: 'POST',
  path: '/api/owners',
  headers: {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  },
  body,
});

const multipart = (contentType: string, body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  path: '/api/agents',
  headers: {
    authorization: `Bearer ${token}`,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...headers,
  },
  body,
});

const FORM_PART = '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nagent\r\n--x--\r\n';

/** What is sent (built when the test runs: the owner's token exists only then) and the code due. */
const cases: [string, () => RawRequest, keyof typeof ERROR_STATUS][] = [
  [
    'a multipart upload without a boundary',
    () => multipart('multipart/form-data', FORM_PART),
    'BAD_REQUEST',
  ],
  [
    'a multipart upload cut off before its closing boundary',
    () => multipart('multipart/form-data; boundary=x', FORM_PART.slice(0, -8)),
    'BAD_REQUEST',
  ],
  [
    'a JSON body in a charset the server does not read',
    () => json('{"name":"latin"}', { 'content-type': 'application/json; charset=latin-9' }),
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  [
    'a JSON body in a compression the server does not know',
    () => json('{"name":"packed"}', { 'content-encoding': 'x-unknown' }),
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  [
    'a gzip body that is not gzip',
    () => json('{"name":"fake-gzip"}', { 'content-encoding': 'gzip' }),
    'BAD_REQUEST',
  ],
  [
    'a path parameter that is not valid percent-encoding',
    () => ({ method: 'GET', path: '/api/agents/%E0%A4%A' }),
    'BAD_REQUEST',
  ],
  [
    'a path parameter that is not valid percent-encoding, on an owner-only route',
    () => ({
      method: 'DELETE',
      path: '/api/agents/%E0%A4%A/versions/1',
      headers: { authorization: `Bearer ${token}` },
    }),
    'BAD_REQUEST',
  ],
  [
    'a JSON body over the size limit',
    () => json(JSON.stringify({ name: 'x'.repeat(MAX_JSON_BYTES) })),
    'PAYLOAD_TOO_LARGE',
  ],
  [
    'a JSON body over the size limit, sent chunked without a length',
    () => ({
      method: 'POST',
      path: '/api/owners',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: JSON.stringify({ name: 'y'.repeat(MAX_JSON_BYTES) }),
    }),
    'PAYLOAD_TOO_LARGE',
  ],
  [
    'an upload over the size limit',
    () =>
      multipart('multipart/form-data; boundary=x', FORM_PART, {
        // Refused on the declared length, before any of the body is read.
        'content-length': String(2 * 1024 * 1024),
      }),
    'PAYLOAD_TOO_LARGE',
  ],
];

describe('malformed requests', () => {
  for (const [what, request, code] of cases) {
    it(`answers ${what} with ${ERROR_STATUS[code]} ${code}, changing nothing`, async () => {
      const before = await snapshot(server);
      const answer = await rawRequest(request());
      expect(answer.status, JSON.stringify(answer.body)).toBe(ERROR_STATUS[code]);
      const parsed = errorBody.parse(answer.body);
      expect(parsed.error.code).toBe(code);
      expect(parsed.error.message.length).toBeGreaterThan(0);
      expect(await snapshot(server)).toEqual(before);
    });
  }
});

describe('the /duel/ratings alias', () => {
  it('answers the same body as /ratings', async () => {
    const current = await api(server, '/ratings?game=duel');
    expect(current.status).toBe(200);
    expect(current.body.ratings).toHaveLength(2);
    const alias = await api(server, '/duel/ratings?game=duel');
    expect(alias.status).toBe(200);
    expect(alias.body).toEqual(current.body);
  });
});
