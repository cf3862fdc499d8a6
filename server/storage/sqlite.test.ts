import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addAgent, BRICK, freshStorage } from '../../tests/support/storeFixtures.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { SqliteStorage } from './sqlite.ts';
import type { NewEpisode } from './types.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'arena-storage-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const episode = (
  versionId: number,
  score: number,
  extra: Partial<NewEpisode> = {},
): NewEpisode => ({
  versionId,
  score,
  frames: 600,
  seed: 1,
  outcome: 'OK',
  ...extra,
});

const count = (s: SqliteStorage, table: string): number =>
  (s.db.prepare(`SELECT count(*) AS c FROM ${table}`).get() as { c: number }).c;

describe('opening and migrations', () => {
  it('creates the schema in an empty file with WAL, FULL sync and foreign keys', () => {
    const path = join(dir, 'nested', 'arena.sqlite');
    const s = new SqliteStorage({ path });
    expect(s.migration).toEqual({ from: 0, to: MIGRATIONS.length });
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(s.db.pragma('foreign_keys', { simple: true })).toBe(1);
    s.close();
    const again = new SqliteStorage({ path });
    expect(again.migration).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length });
    again.close();
  });

  it('refuses a file from a newer schema', () => {
    const path = join(dir, 'future.sqlite');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteStorage({ path })).toThrow(/newer/);
  });

  it('applies later steps on upgrade and rolls back a failing step whole', () => {
    const db = new Database(':memory:');
    const v1 = [{ version: 1, name: 'one', up: 'CREATE TABLE t1 (x INTEGER)' }];
    expect(migrate(db, v1)).toEqual({ from: 0, to: 1 });
    const broken = [
      ...v1,
      { version: 2, name: 'two', up: 'CREATE TABLE t2 (x INTEGER); INSERT INTO nope VALUES (1);' },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't2'").get()).toBeUndefined();
    const fixed = [...v1, { version: 2, name: 'two', up: 'CREATE TABLE t2 (x INTEGER)' }];
    expect(migrate(db, fixed)).toEqual({ from: 1, to: 2 });
    expect(() => migrate(db, [fixed[1]])).toThrow(/versions must run/);
  });
});

describe('owners and tokens', () => {
  it('authenticates issued tokens and never stores them', () => {
    const path = join(dir, 'tokens.sqlite');
    const s = new SqliteStorage({ path });
    const owner = s.createOwner({ name: 'alice' });
    const { token, tokenId } = s.issueToken({ ownerId: owner.id, label: 'laptop' });
    expect(token).toMatch(/^aa_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(s.authenticate(token)).toEqual(owner);
    expect(s.authenticate(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(s.authenticate('not a token')).toBeNull();
    // 'aa_' + 16 hex selector + '_' = 20 characters before the secret (which may contain '_').
    const secret = token.slice(20);
    expect(secret).toHaveLength(43);
    const dump = JSON.stringify(s.db.prepare('SELECT * FROM api_tokens').all());
    expect(dump).not.toContain(secret);
    s.db.pragma('wal_checkpoint(TRUNCATE)');
    s.close();
    const bytes = readFileSync(path).toString('latin1');
    expect(bytes).not.toContain(secret);
    expect(bytes).not.toContain(token);
    const reopened = new SqliteStorage({ path });
    expect(reopened.authenticate(token)?.id).toBe(owner.id);
    expect(reopened.revokeToken(tokenId)).toBe(true);
    expect(reopened.revokeToken(tokenId)).toBe(false);
    expect(reopened.authenticate(token)).toBeNull();
    reopened.close();
  });

  it('rejects duplicate owner names and tokens for unknown owners', () => {
    const s = freshStorage();
    s.createOwner({ name: 'bob' });
    expect(() => s.createOwner({ name: 'bob' })).toThrow(
      expect.objectContaining({ code: 'CONFLICT' }),
    );
    expect(() => s.issueToken({ ownerId: 42 })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });
});

describe('games, agents and versions', () => {
  it('round-trips and numbers versions per agent', () => {
    const s = freshStorage();
    expect(s.upsertGame(BRICK)).toEqual(BRICK);
    expect(s.upsertGame({ ...BRICK, title: 'Brick 2', baselines: null }).baselines).toBeNull();
    expect(s.listGames().map((g) => g.title)).toEqual(['Brick 2']);
    const { agentId } = addAgent(s, { name: 'dqn', versions: 0 });
    const v1 = s.addAgentVersion({
      agentId,
      modelPaths: ['agents/1/1/model.json'],
      metadata: { lr: 0.001, arch: { conv: [32, 64] } },
      checksum: 'sha256:abc',
    });
    const v2 = s.addAgentVersion({ agentId });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(s.getAgentVersion(v1.id)).toEqual(v1);
    expect(v1.metadata).toEqual({ lr: 0.001, arch: { conv: [32, 64] } });
    expect(s.findAgent({ gameId: 'brick', name: 'dqn' })?.id).toBe(agentId);
    addAgent(s, { name: 'ppo', owner: 'bob' });
    expect(s.listAgents({ gameId: 'brick' }).map((a) => a.name)).toEqual(['dqn', 'ppo']);
    expect(s.listAgents({ ownerId: s.getAgent(agentId)!.ownerId }).map((a) => a.name)).toEqual([
      'dqn',
    ]);
    expect(() => addAgent(s, { name: 'dqn' })).toThrow(
      expect.objectContaining({ code: 'CONFLICT' }),
    );
    expect(() => s.addAgentVersion({ agentId: 999 })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(() => s.upsertGame({ ...BRICK, romSha1: 'xyz' })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });
});

describe('episodes and replays', () => {
  it('round-trips episodes with a replay reproducible frame for frame', () => {
    const s = freshStorage();
    const [v] = addAgent(s, { name: 'dqn' }).versionIds;
    const actions = new Uint8Array(5000).map((_, i) => (i >> 6) & 0xff);
    const [e] = s.recordEpisodes([
      episode(v, 420, {
        outcome: 'TIMEOUT',
        reason: 'no move in 30 s',
        seed: 77,
        replay: { romSha1: BRICK.romSha1, seed: 77, settings: { frameSkip: 4 }, actions },
      }),
    ]);
    expect(e).toMatchObject({ versionId: v, gameId: 'brick', score: 420, outcome: 'TIMEOUT' });
    const replay = s.getReplay(e.replayId!)!;
    expect(replay).toMatchObject({
      romSha1: BRICK.romSha1,
      seed: 77,
      frames: 5000,
      settings: { frameSkip: 4 },
    });
    expect(Buffer.from(replay.actions).equals(Buffer.from(actions))).toBe(true);
    const stored = s.db.prepare('SELECT length(actions) AS n FROM replays').get() as { n: number };
    expect(stored.n).toBeLessThan(actions.length / 10);
  });

  it('pages episodes newest first', () => {
    const s = freshStorage();
    const [v] = addAgent(s, { name: 'dqn' }).versionIds;
    s.recordEpisodes(Array.from({ length: 25 }, (_, i) => episode(v, i)));
    const first = s.listEpisodes({ versionId: v, limit: 10 });
    const second = s.listEpisodes({ versionId: v, limit: 10, beforeId: first.at(-1)!.id });
    expect(first.map((e) => e.score)).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
    expect(second[0].score).toBe(14);
  });

  it('rolls a failing multi-row write back completely', () => {
    const s = freshStorage();
    const [v] = addAgent(s, { name: 'dqn' }).versionIds;
    s.recordEpisodes([episode(v, 5)]);
    const before = s.getAgentDetails(s.getAgentVersion(v)!.agentId)!.versions[0].stats;
    const replay = { romSha1: BRICK.romSha1, seed: 1, settings: {}, actions: new Uint8Array(10) };
    // Fails in validation after the first episode and its replay were written.
    expect(() => s.recordEpisodes([episode(v, 100, { replay }), episode(999, 1)])).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    // Fails inside SQLite (foreign key on job_id) on the third row.
    expect(() =>
      s.recordEpisodes([
        episode(v, 100, { replay }),
        episode(v, 7),
        episode(v, 1, { jobId: 12345 }),
      ]),
    ).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(count(s, 'episodes')).toBe(1);
    expect(count(s, 'replays')).toBe(0);
    expect(count(s, 'score_counts')).toBe(1);
    expect(s.getAgentDetails(s.getAgentVersion(v)!.agentId)!.versions[0].stats).toEqual(before);
  });

  it('validates episodes at the boundary', () => {
    const s = freshStorage();
    const [v] = addAgent(s, { name: 'dqn' }).versionIds;
    for (const bad of [
      episode(v, Number.NaN),
      episode(v, 1, { frames: -1 }),
      episode(v, 1, { frames: 1.5 }),
      episode(v, 1, { outcome: 'CRASHED' as never }),
    ]) {
      expect(() => s.recordEpisodes([bad])).toThrow(
        expect.objectContaining({ code: 'BAD_REQUEST' }),
      );
    }
  });

  it('keeps committed episodes across closing and reopening the file', () => {
    const path = join(dir, 'durable.sqlite');
    const s = new SqliteStorage({ path });
    const [v] = addAgent(s, { name: 'dqn' }).versionIds;
    s.recordEpisodes([episode(v, 1), episode(v, 2), episode(v, 3)]);
    s.close();
    const again = new SqliteStorage({ path });
    expect(again.listEpisodes({ versionId: v }).map((e) => e.score)).toEqual([3, 2, 1]);
    expect(again.leaderboard('brick')[0].summary).toMatchObject({ n: 3, mean: 2, median: 2 });
    again.close();
  });
});
