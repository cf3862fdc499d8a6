import { describe, expect, it } from 'vitest';
import { addAgent, BRICK, freshStorage } from '../../tests/support/storeFixtures.ts';
import type { SqliteStorage } from './sqlite.ts';
import type { NewEpisode } from './types.ts';

const TABLES = [
  'agents',
  'agent_versions',
  'episodes',
  'replays',
  'version_stats',
  'score_counts',
  'ratings',
  'matches',
];

function counts(s: SqliteStorage): Record<string, number> {
  return Object.fromEntries(
    TABLES.map((t) => [
      t,
      (s.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n,
    ]),
  );
}

const withReplay = (versionId: number, score: number, seed: number): NewEpisode => ({
  versionId,
  score,
  frames: 100,
  seed,
  outcome: 'OK',
  replay: { romSha1: BRICK.romSha1, seed, settings: {}, actions: new Uint8Array([seed, 1, 2]) },
});

describe('deleteAgentVersion', () => {
  it("removes a version's episodes, replays, aggregates and rating, and nothing of others", () => {
    const s = freshStorage();
    const { agentId, versionIds } = addAgent(s, { name: 'a', versions: 2 });
    const [v1, v2] = versionIds;
    const [other] = addAgent(s, { name: 'b' }).versionIds;
    s.recordEpisodes([withReplay(v1, 3, 1), withReplay(v1, 5, 2), withReplay(v2, 7, 3)]);
    s.recordEpisodes([withReplay(other, 4, 4)]);
    s.replaceRatings('brick', [
      { versionId: v1, rating: 1000, lower: 990, upper: 1010, matches: 0 },
      { versionId: other, rating: 1000, lower: 990, upper: 1010, matches: 0 },
    ]);
    const before = counts(s);

    expect(s.deleteAgentVersion(v1)).toEqual({ deleted: true, agentDeleted: false });
    expect(counts(s)).toEqual({
      ...before,
      agent_versions: before.agent_versions - 1,
      episodes: before.episodes - 2,
      replays: before.replays - 2,
      version_stats: before.version_stats - 1,
      score_counts: before.score_counts - 2,
      ratings: before.ratings - 1,
    });
    expect(s.getAgentVersion(v1)).toBeNull();
    expect(s.listEpisodes({ versionId: v2 }).map((e) => e.score)).toEqual([7]);
    expect(
      s
        .leaderboard('brick')
        .map((r) => r.versionId)
        .sort(),
    ).toEqual([v2, other].sort());
    expect(s.getAgent(agentId)).not.toBeNull();
  });

  it('removes the agent with its last version, freeing the name', () => {
    const s = freshStorage();
    const { agentId, versionIds } = addAgent(s, { name: 'solo' });
    const [v] = versionIds;
    s.recordEpisodes([withReplay(v, 1, 1)]);
    expect(s.deleteAgentVersion(v)).toEqual({ deleted: true, agentDeleted: true });
    expect(s.getAgent(agentId)).toBeNull();
    expect(s.findAgent({ gameId: 'brick', name: 'solo' })).toBeNull();
    expect(() => addAgent(s, { name: 'solo' })).not.toThrow();
  });

  it('reports a missing version without changing anything', () => {
    const s = freshStorage();
    addAgent(s, { name: 'a' });
    const before = counts(s);
    expect(s.deleteAgentVersion(9999)).toEqual({ deleted: false, agentDeleted: false });
    expect(counts(s)).toEqual(before);
    expect(() => s.deleteAgentVersion(0)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('refuses a version that played matches, leaving every row in place', () => {
    const s = freshStorage();
    const [a] = addAgent(s, { name: 'a' }).versionIds;
    const [b] = addAgent(s, { name: 'b' }).versionIds;
    s.recordEpisodes([withReplay(a, 2, 1)]);
    s.recordMatch({ playerA: b, playerB: a, scoreA: 1, scoreB: 3, outcome: 'b', seed: 5 });
    const before = counts(s);
    expect(() => s.deleteAgentVersion(a)).toThrow(
      expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(/1 match/) }),
    );
    expect(counts(s)).toEqual(before);
  });

  it('rolls back whole when a statement inside fails', () => {
    const s = freshStorage();
    const [v] = addAgent(s, { name: 'a' }).versionIds;
    s.recordEpisodes([withReplay(v, 1, 1), withReplay(v, 2, 2)]);
    // A row outside the storage's own writes that still points at one of the replays: deleting
    // that replay violates its foreign key after the episodes were already deleted.
    const replayId = s.listEpisodes({ versionId: v })[0].replayId;
    s.db.exec('CREATE TABLE pin (replay_id INTEGER REFERENCES replays(id))');
    s.db.prepare('INSERT INTO pin VALUES (?)').run(replayId);
    const before = counts(s);
    expect(() => s.deleteAgentVersion(v)).toThrow(/FOREIGN KEY/);
    expect(counts(s)).toEqual(before);
    expect(s.getAgentVersion(v)).not.toBeNull();
  });
});

describe('deleteAgentIfEmpty', () => {
  it('deletes only an agent without versions', () => {
    const s = freshStorage();
    const { agentId } = addAgent(s, { name: 'kept' });
    const empty = addAgent(s, { name: 'empty', versions: 0 }).agentId;
    expect(s.deleteAgentIfEmpty(agentId)).toBe(false);
    expect(s.deleteAgentIfEmpty(empty)).toBe(true);
    expect(s.getAgent(empty)).toBeNull();
    expect(s.getAgent(agentId)).not.toBeNull();
  });
});
