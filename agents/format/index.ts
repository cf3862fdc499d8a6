/** The submitted-agent format: layout and limits (schema.ts), validation (check.ts), save/load (io.ts). */
export { type CheckedAgent, type CheckOptions, checkAgentDir, readAgentMeta } from './check.ts';
export { type AgentSelection, type DqnAgentMetaArgs, dqnAgentMeta } from './dqnMeta.ts';
export {
  loadAgentModel,
  loadDqnAgent,
  packageVersions,
  type SaveAgentOptions,
  saveAgentDir,
} from './io.ts';
export {
  AGENT_FORMAT_VERSION,
  type AgentMeta,
  ALLOWED_ACTIVATIONS,
  ALLOWED_LAYERS,
  agentMetaSchema,
  LIMITS,
  OPTIONAL_FILES,
} from './schema.ts';
