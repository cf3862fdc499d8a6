import { describe, expect, it } from 'vitest';
import { parseDqnConfig } from '../dqn/config.ts';
import { dqnAgentMeta, dqnAlgorithmName } from './dqnMeta.ts';
import { AGENT_FORMAT_VERSION, agentMetaSchema } from './schema.ts';

const args = (config: Parameters<typeof parseDqnConfig>[0] = {}) => ({
  cfg: parseDqnConfig({ game: 'brick', net: 'small', frameSkip: 4, seed: 7, ...config }),
  runId: 'brick__dqn-small__7__1',
  step: 1000,
  actions: ['NOOP', 'LEFT', 'RIGHT'],
  parameters: 1234,
  backend: 'cpu',
});

describe('dqnAgentMeta', () => {
  it("records the run's config, counts and network as a valid agent.json", () => {
    const meta = dqnAgentMeta(args());
    expect(meta).toMatchObject({
      name: 'brick-dqn-small',
      game: 'brick',
      actions: ['NOOP', 'LEFT', 'RIGHT'],
      network: { kind: 'small', dueling: false, parameters: 1234 },
      training: {
        algorithm: 'double-dqn',
        steps: 1000,
        frames: 4000,
        seed: 7,
        runId: 'brick__dqn-small__7__1',
      },
      backend: 'cpu',
      licence: 'MIT',
    });
    expect(meta.training.config).toEqual(args().cfg);
    expect(meta.training).not.toHaveProperty('selection');
    expect(meta.training).not.toHaveProperty('weightAverage');
    const full = { ...meta, formatVersion: AGENT_FORMAT_VERSION, versions: {} };
    expect(agentMetaSchema.safeParse(full).success).toBe(true);
  });

  it('records how a best agent was chosen and a weight average, when given', () => {
    const selection = {
      rule: 'best-eval-mean' as const,
      evalStep: 500,
      evalMean: 12.5,
      evalEpisodes: 5,
    };
    const meta = dqnAgentMeta({
      ...args({ frameSkip: 2 }),
      licence: 'CC-BY-4.0',
      selection,
      weightAverage: { decay: 0.999, updates: 40 },
    });
    expect(meta.training).toMatchObject({ frames: 2000, selection });
    expect(meta.training.weightAverage).toEqual({ decay: 0.999, updates: 40 });
    expect(meta.observation.frameSkip).toBe(2);
    expect(meta.licence).toBe('CC-BY-4.0');
  });

  it('names the targets the run trained on', () => {
    expect(dqnAlgorithmName({ munchausen: false, doubleDqn: true })).toBe('double-dqn');
    expect(dqnAlgorithmName({ munchausen: false, doubleDqn: false })).toBe('dqn');
    expect(dqnAlgorithmName({ munchausen: true, doubleDqn: true })).toBe('munchausen-dqn');
    expect(dqnAlgorithmName({ munchausen: true, doubleDqn: false })).toBe('munchausen-dqn');
  });
});
