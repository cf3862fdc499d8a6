/**
 * Submissions against a real server: a valid upload is accepted and evaluated; every bad upload
 * gets its 4xx with a message naming the problem and leaves the store exactly as it was (rows and
 * files); only an agent's owner may upload further versions or delete them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderEntries, makeTar, makeTarGz, type TarEntry } from '../support/tarball.ts';
import {
  api,
  makeTinyAgent,
  readFolder,
  register,
  settle,
  snapshot,
  startTestServer,
  type TestServer,
  upload,
  waitFor,
} from './helpers.ts';

let server: TestServer;
let work: string;
let files: Map<string, Uint8Array>;
let alice: string;
let bob: string;
/** Hostile tars, made once (packing is async). */
const tars = {} as Record<'symlink' | 'traversal' | 'unexpected', Uint8Array>;

beforeAll(async () => {
  server = await startTestServer();
  work = await mkdtemp(join(tmpdir(), 'arena-agent-'));
  files = await readFolder(await makeTinyAgent(join(work, 'tiny')));
  alice = await register(server, 'alice');
  bob = await register(server, 'bob');
  const link: TarEntry = { name: 'README.md', type: 'symlink', linkname: '/etc/passwd' };
  tars.symlink = await makeTar([...folderEntries(files), link]);
  tars.traversal = await makeTarGz([
    ...folderEntries(files),
    { name: '../../outside.bin', bytes: new Uint8Array([1]) },
  ]);
  tars.unexpected = await makeTar([
    ...folderEntries(files, 'tiny'),
    { name: 'tiny/run.sh', bytes: new TextEncoder().encode('rm -rf /') },
  ]);
});

afterAll(async () => {
  await server?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

const text = (s: string) => new TextEncoder().encode(s);
const withFile = (name: string, bytes: Uint8Array | null) => {
  const copy = new Map(files);
  if (bytes === null) copy.delete(name);
  else copy.set(name, bytes);
  return copy;
};

describe('uploads', () => {
  it('accepts a valid agent, evaluates it and lists it on the leaderboard', async () => {
    const { status, body } = await upload(server, { token: alice, name: 'tiny', files });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body.version.version).toBe(1);
    const versionId = body.version.id as number;
    const done = await waitFor(
      async () => {
        const v = await api(server, `/versions/${versionId}`);
        return v.body.evaluation.ended ? v.body : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'the evaluation to end' },
    );
    expect(done.stats.episodes).toBe(3);
    const board = await api(server, '/leaderboards/brick');
    expect(board.body.rows.map((r: { versionId: number }) => r.versionId)).toContain(versionId);
    const job = await api(server, `/jobs/${body.job.id}`);
    expect(job.body.job.state).toBe('completed');
    const episodes = await api(server, `/versions/${versionId}/episodes`);
    expect(episodes.body.published).toBe(true);
    expect(
      episodes.body.episodes.every((e: { seed: number | null }) => typeof e.seed === 'number'),
    ).toBe(true);
  });

  it('accepts a .zip archive as a second version of the same agent', async () => {
    const archive = zipSync(Object.fromEntries([...files].map(([n, b]) => [`tiny/${n}`, b])));
    const { status, body } = await upload(server, {
      token: alice,
      name: 'tiny',
      archive: { name: 'tiny.zip', bytes: archive },
    });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body.version.version).toBe(2);
  });

  it('accepts a .tar.gz and a plain .tar of the folder as further versions', async () => {
    const tgz = await makeTarGz(folderEntries(files, 'tiny'));
    const first = await upload(server, {
      token: alice,
      name: 'tiny',
      archive: { name: 'tiny.tar.gz', bytes: tgz },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.version.version).toBe(3);
    const plain = await makeTar(folderEntries(files));
    const second = await upload(server, {
      token: alice,
      name: 'tiny',
      archive: { name: 'tiny.tar', bytes: plain },
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    // The same files hash the same, whatever the archive they came in.
    expect(second.body.version.checksum).toBe(first.body.version.checksum);
  });

  const bad: [string, () => Parameters<typeof upload>[1], number, RegExp][] = [
    ['no token', () => ({ name: 'x1', files }), 401, /bearer token/],
    ['a wrong token', () => ({ token: 'aa_nope_nope', name: 'x1', files }), 401, /invalid/],
    ['no name field', () => ({ token: alice, files }), 400, /name/],
    ['a bad name', () => ({ token: alice, name: '../evil', files }), 400, /name/],
    ['no files', () => ({ token: alice, name: 'x1' }), 400, /no agent files/],
    [
      'a missing model.json',
      () => ({ token: alice, name: 'x1', files: withFile('model.json', null) }),
      422,
      /missing model.json/,
    ],
    [
      'a missing weight file',
      () => ({ token: alice, name: 'x1', files: withFile('weights.bin', null) }),
      422,
      /weights\.bin/,
    ],
    [
      'truncated weights',
      () => ({
        token: alice,
        name: 'x1',
        files: withFile('weights.bin', files.get('weights.bin')!.slice(8)),
      }),
      422,
      /bytes/,
    ],
    [
      'agent.json that is not JSON',
      () => ({ token: alice, name: 'x1', files: withFile('agent.json', text('{nope')) }),
      400,
      /game/,
    ],
    [
      'an unknown game',
      () => ({ token: alice, name: 'x1', game: 'pong', files }),
      400,
      /no game pong/,
    ],
    [
      'an unexpected file',
      () => ({ token: alice, name: 'x1', files: withFile('run.sh', text('rm -rf /')) }),
      422,
      /unexpected file run\.sh/,
    ],
    [
      'a parent-folder file name',
      () => ({ token: alice, name: 'x1', files: withFile('..', text('x')) }),
      400,
      /bad file name/,
    ],
    [
      'a path in a file name',
      () => ({ token: alice, name: 'x1', files: withFile('../../evil.bin', text('x')) }),
      400,
      /bad file name/,
    ],
    [
      'a broken archive',
      () => ({ token: alice, name: 'x1', archive: { name: 'a.zip', bytes: text('not a zip') } }),
      400,
      /not a \.zip, \.tar or \.tar\.gz/,
    ],
    [
      'a corrupt zip',
      () => ({
        token: alice,
        name: 'x1',
        archive: { name: 'a.zip', bytes: new Uint8Array([0x50, 0x4b, 3, 4, 9, 9, 9]) },
      }),
      400,
      /not a readable \.zip/,
    ],
    [
      'a tar with a symbolic link',
      () => ({ token: alice, name: 'x1', archive: { name: 'a.tar', bytes: tars.symlink } }),
      400,
      /is a link/,
    ],
    [
      'a tar.gz writing outside the folder',
      () => ({ token: alice, name: 'x1', archive: { name: 'a.tgz', bytes: tars.traversal } }),
      400,
      /unsafe path/,
    ],
    [
      'a tar whose folder fails the agent check',
      () => ({ token: alice, name: 'x1', archive: { name: 'a.tar', bytes: tars.unexpected } }),
      422,
      /unexpected file run\.sh/,
    ],
    [
      'the wrong action set',
      () => {
        const meta = JSON.parse(new TextDecoder().decode(files.get('agent.json')));
        meta.actions = ['NOOP', 'FIRE', 'RIGHT', 'LEFT'];
        return {
          token: alice,
          name: 'x1',
          files: withFile('agent.json', text(JSON.stringify(meta))),
        };
      },
      422,
      /actions/,
    ],
    [
      "a new version of another owner's agent",
      () => ({ token: bob, name: 'tiny', files }),
      403,
      /another owner/,
    ],
  ];

  for (const [what, make, status, message] of bad) {
    it(`rejects ${what} with ${status} and leaves the store unchanged`, async () => {
      await settle(server);
      const before = await snapshot(server);
      const res = await upload(server, make());
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.message).toMatch(message);
      expect(typeof res.body.error.code).toBe('string');
      expect(await snapshot(server)).toEqual(before);
    });
  }

  it('rejects an upload over the size limit before reading it', async () => {
    await settle(server);
    const before = await snapshot(server);
    const big = withFile('README.md', new Uint8Array(server.config.maxUploadBytes + 1));
    const res = await upload(server, { token: alice, name: 'x1', files: big });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await snapshot(server)).toEqual(before);
  });

  it('rejects a JSON body where multipart is expected', async () => {
    await settle(server);
    const before = await snapshot(server);
    const res = await api(server, '/agents', {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(res.status).toBe(415);
    expect(await snapshot(server)).toEqual(before);
  });
});

const BIN = fileURLToPath(new URL('../../bin/arena.mjs', import.meta.url));

/** `arena ARGS` in a child process, asynchronously: the server under test runs in this process. */
async function arena(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, ARENA_TOKEN: '', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('arena submit', () => {
  it('uploads a folder with the token from ARENA_TOKEN', async () => {
    const dir = join(work, 'tiny');
    const result = await arena(
      ['submit', dir, '--name', 'cli-tiny', '--server', server.url, '--json'],
      { ARENA_TOKEN: alice },
    );
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(body.agent.name).toBe('cli-tiny');
    expect(body.version.version).toBe(1);
  });

  it('says why when the server rejects the agent, and when no token is given', async () => {
    const bad = await arena([
      'submit',
      join(work, 'tiny'),
      '--name',
      'tiny',
      '--server',
      server.url,
      '--token',
      bob,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/another owner \(FORBIDDEN\)/);
    const none = await arena(['submit', join(work, 'tiny'), '--name', 'x', '--server', server.url]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no API token/);
  });
});

describe('deleting versions', () => {
  it('refuses a non-owner, then lets the owner delete a version with its rows and files', async () => {
    const agents = await api(server, '/agents?game=brick');
    const tiny = agents.body.agents.find((a: { name: string }) => a.name === 'tiny');
    const details = await api(server, `/agents/${tiny.id}`);
    const v1 = details.body.versions.find((v: { version: number }) => v.version === 1);

    await settle(server);
    const before = await snapshot(server);
    const denied = await api(server, `/agents/${tiny.id}/versions/1`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${bob}` },
    });
    expect(denied.status).toBe(403);
    const anonymous = await api(server, `/agents/${tiny.id}/versions/1`, { method: 'DELETE' });
    expect(anonymous.status).toBe(401);
    expect(await snapshot(server)).toEqual(before);

    const ok = await api(server, `/agents/${tiny.id}/versions/1`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${alice}` },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const after = await snapshot(server);
    expect(after.rows.agent_versions).toBe(before.rows.agent_versions - 1);
    expect(after.rows.episodes).toBe(before.rows.episodes - 3);
    expect(after.rows.replays).toBe(before.rows.replays - 3);
    expect(after.files.some((f) => f.startsWith(`agents/${v1.id}`))).toBe(false);
    expect((await api(server, `/versions/${v1.id}`)).status).toBe(404);
    const again = await api(server, `/agents/${tiny.id}/versions/1`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${alice}` },
    });
    expect(again.status).toBe(404);
  });
});
