/**
 * Deleting an agent version. The `Storage` contract has no delete yet, so this small interface
 * stands in for it and the SQLite implementation works on the storage's connection. It should
 * move into `Storage` as `deleteAgentVersion` (kept apart so the storage module stays untouched).
 */
import type { SqliteStorage } from '../storage/sqlite.ts';
import { ApiError } from './errors.ts';

export interface VersionRemover {
  /**
   * Removes a version with its episodes, replays and aggregates in one transaction, and its agent
   * when no version is left (so the name is free again). Throws CONFLICT when the version played
   * matches (their opponents' results would change). Returns false when there was no such version.
   */
  removeVersion(versionId: number): { removed: boolean; agentRemoved: boolean };
  /** Removes an agent that has no version (undoing a failed first upload). */
  removeAgentIfEmpty(agentId: number): boolean;
}

export class SqliteVersionRemover implements VersionRemover {
  constructor(private readonly storage: SqliteStorage) {}

  removeVersion(versionId: number): { removed: boolean; agentRemoved: boolean } {
    const db = this.storage.db;
    const run = db.transaction(() => {
      const row = db.prepare('SELECT agent_id FROM agent_versions WHERE id = ?').get(versionId) as
        | { agent_id: number }
        | undefined;
      if (!row) return { removed: false, agentRemoved: false };
      const matches = db
        .prepare('SELECT COUNT(*) AS n FROM matches WHERE player_a = ? OR player_b = ?')
        .get(versionId, versionId) as { n: number };
      if (matches.n > 0)
        throw new ApiError(
          'CONFLICT',
          `version ${versionId} played ${matches.n} matches and cannot be deleted`,
        );
      const replays = (
        db
          .prepare('SELECT replay_id FROM episodes WHERE version_id = ? AND replay_id IS NOT NULL')
          .all(versionId) as {
          replay_id: number;
        }[]
      ).map((r) => r.replay_id);
      db.prepare('DELETE FROM episodes WHERE version_id = ?').run(versionId);
      const dropReplay = db.prepare('DELETE FROM replays WHERE id = ?');
      for (const id of replays) dropReplay.run(id);
      // version_stats, score_counts and ratings cascade.
      db.prepare('DELETE FROM agent_versions WHERE id = ?').run(versionId);
      const left = db
        .prepare('SELECT COUNT(*) AS n FROM agent_versions WHERE agent_id = ?')
        .get(row.agent_id) as { n: number };
      if (left.n === 0) db.prepare('DELETE FROM agents WHERE id = ?').run(row.agent_id);
      return { removed: true, agentRemoved: left.n === 0 };
    });
    return run.immediate();
  }

  removeAgentIfEmpty(agentId: number): boolean {
    const result = this.storage.db
      .prepare(
        'DELETE FROM agents WHERE id = ? AND NOT EXISTS (SELECT 1 FROM agent_versions WHERE agent_id = ?)',
      )
      .run(agentId, agentId);
    return result.changes > 0;
  }
}
