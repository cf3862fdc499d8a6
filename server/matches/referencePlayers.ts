/**
 * The fixed points of the Duel scale: the game's own computer opponent, rated as three reference
 * players (`cpu-easy`, `cpu-normal`, `cpu-hard`: a player whose controller 2 is the game's
 * computer at that level), next to the bundled random and scripted agents (and any bundled DQN
 * agent), which are ordinary versions. Reference players only play matches: they have no
 * single-player evaluation.
 */
import { loadManifest } from '../../emulators/manifest/index.ts';
import type { ManifestEntry } from '../../emulators/manifest/schema.ts';
import type { Storage } from '../storage/base.ts';
import { type JsonObject, SYSTEM_OWNER } from '../storage/types.ts';
import { COMPUTER_BUILTIN } from './computer.ts';

/** Two-player manifest entries of the games in the store. */
export function twoPlayerGames(storage: Storage): ManifestEntry[] {
  const stored = new Set(storage.listGames().map((g) => g.id));
  return loadManifest().filter((e) => e.players === 2 && stored.has(e.id));
}

/** The computer's levels, in the manifest's order (Duel: easy, normal, hard). */
export function computerLevels(entry: ManifestEntry): string[] {
  return Object.keys(entry.settings.opponentLevel?.values ?? {});
}

/**
 * Adds the missing computer reference players of every two-player game in the store, owned by
 * the arena's system owner (the owner of the game's bundled agents). Idempotent; returns the
 * versions it created.
 */
export function ensureReferencePlayers(storage: Storage, log?: (line: string) => void): number[] {
  const created: number[] = [];
  for (const entry of twoPlayerGames(storage)) {
    const owner = systemOwnerOf(storage, entry.id);
    if (owner === null) {
      log?.(
        `no ${SYSTEM_OWNER} agents in ${entry.id}: its computer reference players are not added`,
      );
      continue;
    }
    for (const level of computerLevels(entry)) {
      const name = `${COMPUTER_BUILTIN}-${level}`;
      if (storage.findAgent({ gameId: entry.id, name })) continue;
      const agent = storage.createAgent({
        ownerId: owner,
        gameId: entry.id,
        name,
        kind: 'builtin',
      });
      const metadata: JsonObject = { builtin: COMPUTER_BUILTIN, computerLevel: level };
      created.push(storage.addAgentVersion({ agentId: agent.id, metadata }).id);
    }
  }
  if (created.length > 0) log?.(`added ${created.length} computer reference player(s)`);
  return created;
}

function systemOwnerOf(storage: Storage, gameId: string): number | null {
  for (const agent of storage.listAgents({ gameId })) {
    if (agent.kind !== 'builtin') continue;
    const owner = storage.getOwner(agent.ownerId);
    if (owner?.name === SYSTEM_OWNER) return owner.id;
  }
  return null;
}
