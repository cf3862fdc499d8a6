/** Deleting agent versions (and emptied agents) over SQLite, each call one transaction. */
import { UserError } from '../../emulators/errors.ts';
import { checkInt, type SqliteContext } from './rows.ts';
import type { VersionDeletion } from './types.ts';

export function deleteAgentVersion(ctx: SqliteContext, versionId: number): VersionDeletion {
  checkInt('versionId', versionId, 1);
  // IMMEDIATE: the match check and the deletes see one state; a match recorded meanwhile waits.
  return ctx.db
    .transaction((): VersionDeletion => {
      const row = ctx.stmt('SELECT agent_id FROM agent_versions WHERE id = ?').get(versionId) as
        | { agent_id: number }
        | undefined;
      if (!row) return { deleted: false, agentDeleted: false };
      const { n: matches } = ctx
        .stmt('SELECT COUNT(*) AS n FROM matches WHERE player_a = ? OR player_b = ?')
        .get(versionId, versionId) as { n: number };
      if (matches > 0) {
        // Its opponents' results and ratings rest on these matches.
        throw new UserError(
          `version ${versionId} played ${matches} match(es) and cannot be deleted`,
          'CONFLICT',
        );
      }
      // Episodes first (they reference the replays), then the replays only they referenced.
      const replays = (
        ctx
          .stmt('SELECT replay_id FROM episodes WHERE version_id = ? AND replay_id IS NOT NULL')
          .all(versionId) as { replay_id: number }[]
      ).map((r) => r.replay_id);
      ctx.stmt('DELETE FROM episodes WHERE version_id = ?').run(versionId);
      const dropReplay = ctx.stmt('DELETE FROM replays WHERE id = ?');
      for (const id of replays) dropReplay.run(id);
      // version_stats, score_counts and ratings go with the version (ON DELETE CASCADE).
      ctx.stmt('DELETE FROM agent_versions WHERE id = ?').run(versionId);
      const agentDeleted = deleteAgentIfEmpty(ctx, row.agent_id);
      return { deleted: true, agentDeleted };
    })
    .immediate();
}

export function deleteAgentIfEmpty(ctx: SqliteContext, agentId: number): boolean {
  checkInt('agentId', agentId, 1);
  const result = ctx
    .stmt(
      `DELETE FROM agents WHERE id = ?
         AND NOT EXISTS (SELECT 1 FROM agent_versions WHERE agent_id = ?)`,
    )
    .run(agentId, agentId);
  return result.changes > 0;
}
