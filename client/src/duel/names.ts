/** How the head-to-head views name a player: agent name, its version, or the computer's level. */
import type { Match, MatchPlayer } from '../api.ts';

export function playerName(p: MatchPlayer): string {
  if (!p.agentName) return `version ${p.versionId}`;
  return p.version && p.version > 1 ? `${p.agentName} v${p.version}` : p.agentName;
}

/** Side 'a' is controller 1 (left), 'b' controller 2 (right). */
export function sideName(match: Match, side: 'a' | 'b'): string {
  return playerName(match.players[side === 'a' ? 0 : 1]);
}

/** "scripted won", "draw". */
export function resultText(match: Match): string {
  return match.outcome === 'draw' ? 'draw' : `${sideName(match, match.outcome)} won`;
}
