/**
 * `trust proxy` against real servers: behind a trusted proxy, rate limits and logs key on the
 * client address from X-Forwarded-For; without one (the default), that header is ignored, so a
 * client cannot dodge the limits by sending it. And `arena serve` refuses unsafe values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { api, startTestServer, type TestServer } from './helpers.ts';

const LIMIT = 2;
let direct: TestServer;
let proxied: TestServer;
const logs = { direct: [] as string[], proxied: [] as string[] };

beforeAll(async () => {
  const rateLimits = { registrationsPerHour: LIMIT };
  direct = await startTestServer({
    rateLimits,
    showcase: false,
    log: (l) => logs.direct.push(l),
  });
  proxied = await startTestServer({
    rateLimits,
    showcase: false,
    trustProxy: ['loopback'],
    log: (l) => logs.proxied.push(l),
  });
});

afterAll(async () => {
  await direct?.dispose();
  await proxied?.dispose();
});

/** Registers `name` as a request forwarded by a proxy for `client`. */
const registerVia = (server: TestServer, name: string, client: string) =>
  api(server, '/owners', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify({ name }),
  });

describe('trust proxy', () => {
  it('gives each forwarded client its own rate limit and logs its address', async () => {
    const clients = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];
    for (const [i, client] of clients.entries()) {
      const res = await registerVia(proxied, `p${i}`, client);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    for (const [i, client] of clients.entries()) {
      expect(logs.proxied).toContain(`registered owner p${i} from ${client}`);
    }
    // One client is still held to its own limit.
    const again = await registerVia(proxied, 'p9', clients[0]);
    const third = await registerVia(proxied, 'p10', clients[0]);
    expect([again.status, third.status]).toEqual([201, 429]);
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      statuses.push((await registerVia(direct, `d${i}`, `198.51.100.${i + 1}`)).status);
    }
    expect(statuses).toEqual([201, 201, 429]);
    expect(logs.direct.filter((l) => l.startsWith('registered owner'))).toEqual([
      'registered owner d0 from 127.0.0.1',
      'registered owner d1 from 127.0.0.1',
    ]);
    // One hint for the operator, however many such requests came.
    expect(logs.direct.filter((l) => l.includes('--trust-proxy'))).toHaveLength(1);
    expect(logs.proxied.filter((l) => l.includes('--trust-proxy'))).toHaveLength(0);
  });

  it('arena serve refuses a trust-everyone or malformed setting with a clear message', () => {
    const open = runCli(['serve', '--port', '0', '--trust-proxy', 'true']);
    expect(open.status).not.toBe(0);
    expect(open.stderr).toMatch(/--trust-proxy.*any client choose its own address/s);
    const bad = runCli(['serve', '--port', '0', '--trust-proxy', 'proxy.example.com']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/not an address/);
  });
});
