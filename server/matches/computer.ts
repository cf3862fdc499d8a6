/**
 * How a stored version says it is the game's own computer opponent at a level (a Duel reference
 * player): metadata `{ builtin: 'cpu', computerLevel: 'hard' }`. Such versions only play matches.
 */
import type { AgentVersion } from '../storage/types.ts';

export const COMPUTER_BUILTIN = 'cpu';

export function computerLevelOf(version: Pick<AgentVersion, 'metadata'>): string | null {
  const { builtin, computerLevel } = version.metadata;
  return builtin === COMPUTER_BUILTIN && typeof computerLevel === 'string' ? computerLevel : null;
}

/** Versions that only ever play matches (no single-player evaluation). */
export function isMatchOnly(version: Pick<AgentVersion, 'metadata'>): boolean {
  return computerLevelOf(version) !== null;
}
