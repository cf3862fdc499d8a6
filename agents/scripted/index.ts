/** Scripted (RAM-reading) agents by game id. */
import type { Agent } from '../agent.ts';
import type { BuiltinAgentContext } from '../builtin.ts';
import { makeScriptedBrick } from './brick.ts';
import { makeScriptedDuel } from './duel.ts';

export const scriptedAgents: Record<string, (context: BuiltinAgentContext) => Agent> = {
  brick: makeScriptedBrick,
  duel: makeScriptedDuel,
};
