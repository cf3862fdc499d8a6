/** Scripted (RAM-reading) agents by game id. */
import type { Agent } from '../agent.ts';
import type { BuiltinAgentContext } from '../builtin.ts';

export const scriptedAgents: Record<string, (context: BuiltinAgentContext) => Agent> = {};
