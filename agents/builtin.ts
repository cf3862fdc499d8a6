/**
 * The agents that ship with the arena, by name: `random`, and `scripted` (a per-game policy that
 * reads the game's RAM, standing in for a human reference score).
 */
import { UserError } from '../emulators/errors.ts';
import type { ManifestEntry } from '../emulators/manifest/schema.ts';
import type { Agent } from './agent.ts';
import { RandomAgent } from './randomAgent.ts';
import { scriptedAgents } from './scripted/index.ts';

export interface BuiltinAgentContext {
  entry: ManifestEntry;
  /** The action names of the environment the agent will play. */
  actions: readonly string[];
  seed: number;
  /** Live view of the game's work RAM (the scripted agents read positions from it). */
  ram: () => Uint8Array;
}

export const BUILTIN_AGENTS = ['random', 'scripted'] as const;
export type BuiltinAgentName = (typeof BUILTIN_AGENTS)[number];

export function makeBuiltinAgent(name: string, context: BuiltinAgentContext): Agent {
  if (name === 'random') return new RandomAgent(context.actions.length, context.seed);
  if (name === 'scripted') {
    const make = scriptedAgents[context.entry.id];
    if (!make) {
      throw new UserError(
        `no scripted agent for ${context.entry.id}; scripted agents exist for ${Object.keys(scriptedAgents).join(', ') || 'no game yet'}`,
        'UNKNOWN_AGENT',
      );
    }
    return make(context);
  }
  throw new UserError(
    `unknown agent "${name}": use ${BUILTIN_AGENTS.join(' or ')}, or a trained agent folder`,
    'UNKNOWN_AGENT',
  );
}
