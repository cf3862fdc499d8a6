/** Shared test set-up: a storage with one owner, game and agent, and helpers to add more. */
import { SqliteStorage, type SqliteStorageOptions } from '../../server/storage/sqlite.ts';
import type { AgentKind, Game } from '../../server/storage/types.ts';

export const BRICK: Game = {
  id: 'brick',
  title: 'Brick Breaker',
  romSha1: 'a'.repeat(40),
  baselines: { random: 10, scripted: 110 },
};

export function freshStorage(opts: SqliteStorageOptions = {}): SqliteStorage {
  let t = 1_700_000_000_000;
  return new SqliteStorage({ path: ':memory:', now: () => t++, ...opts });
}

/** Creates an owner (once per name), an agent and `versions` versions; returns the version ids. */
export function addAgent(
  storage: SqliteStorage,
  opts: { owner?: string; game?: Game; name: string; kind?: AgentKind; versions?: number },
): { agentId: number; versionIds: number[] } {
  const game = opts.game ?? BRICK;
  if (!storage.getGame(game.id)) storage.upsertGame(game);
  const ownerName = opts.owner ?? 'alice';
  const owner =
    storage.db.prepare('SELECT id FROM owners WHERE name = ?').get(ownerName) ??
    storage.createOwner({ name: ownerName });
  const agent = storage.createAgent({
    ownerId: (owner as { id: number }).id,
    gameId: game.id,
    name: opts.name,
    kind: opts.kind ?? 'uploaded',
  });
  const versionIds = Array.from(
    { length: opts.versions ?? 1 },
    () => storage.addAgentVersion({ agentId: agent.id }).id,
  );
  return { agentId: agent.id, versionIds };
}
