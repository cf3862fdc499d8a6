/**
 * `GET /api/versions/:id/training-log` against a real server: an uploaded agent's log comes back
 * as checked chart series; a version without a log, a missing version and a bad id get their 4xx.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  makeTinyAgent,
  readFolder,
  register,
  startTestServer,
  type TestServer,
  upload,
} from './helpers.ts';

let server: TestServer;
let work: string;
let files: Map<string, Uint8Array>;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ showcase: false });
  work = await mkdtemp(join(tmpdir(), 'arena-log-'));
  files = await readFolder(await makeTinyAgent(join(work, 'tiny')));
  token = await register(server, 'trainer');
});

afterAll(async () => {
  await server?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

const LOG = [
  '{"type":"config","runId":"r"}',
  '{"type":"train","step":1000,"charts/mean_return_100":2.5,"charts/epsilon":0.5}',
  '{"type":"episode","step":900,"charts/episodic_return":3}',
  '{"type":"eval","step":1000,"eval/mean":6,"eval/ci95_low":4,"eval/ci95_high":8,"eval/episodes":5,"eval/best":true,"eval/average/mean":7,"eval/average/ci95_low":5,"eval/average/ci95_high":9,"eval/average/episodes":5}',
  '{"type":"eval","step":"soon"}',
  '<script>alert(1)</script>',
].join('\n');

describe('training log route', () => {
  it("serves an uploaded agent's log as checked series", async () => {
    const withLog = new Map(files).set('training-log.jsonl', new TextEncoder().encode(LOG));
    const res = await upload(server, { token, name: 'logged', files: withLog });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const log = await api(server, `/versions/${res.body.version.id}/training-log`);
    expect(log.status).toBe(200);
    expect(log.body).toEqual({
      versionId: res.body.version.id,
      train: [{ step: 1000, meanReturn: 2.5, epsilon: 0.5 }],
      episodes: [{ step: 900, return: 3 }],
      evaluations: [{ step: 1000, mean: 6, ci95: [4, 8], episodes: 5 }],
      averageEvaluations: [{ step: 1000, mean: 7, ci95: [5, 9], episodes: 5 }],
      best: { step: 1000, mean: 6 },
      lines: 6,
      invalidLines: 2,
      thinned: false,
    });
    // Served again from the cache, identically.
    expect((await api(server, `/versions/${res.body.version.id}/training-log`)).body).toEqual(
      log.body,
    );
  });

  it('answers 204 for a version without a log, 404 for a missing version, 400 for a bad id', async () => {
    const res = await upload(server, { token, name: 'unlogged', files });
    expect(res.status).toBe(201);
    const none = await api(server, `/versions/${res.body.version.id}/training-log`);
    expect(none.status).toBe(204);
    expect(none.body).toBe('');
    expect((await api(server, '/versions/99999/training-log')).status).toBe(404);
    expect((await api(server, '/versions/abc/training-log')).status).toBe(400);
  });
});
