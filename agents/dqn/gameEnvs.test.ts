/** The glue between DQN training and the games: settings reach the envs, baselines only apply under their own settings. */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../emulators/core.ts';
import { findEntry } from '../../emulators/manifest/index.ts';
import type { NesEnv } from '../../emulators/nes/nesEnv.ts';
import type { WorkerVectorEnv } from '../../emulators/vector/index.ts';
import { parseDqnConfig } from './config.ts';
import { evalEnvFactory, gameInfo, TRAIN_ENV_WORKER_NICE, trainVectorEnv } from './gameEnvs.ts';

/** Duel's boot writes the opponent level here (roms-manifest/duel.json). */
const levelAddress = (() => {
  const step = findEntry('duel').boot.find(
    (s) => 'poke' in s && s.value === 'setting:opponentLevel',
  );
  if (!step || !('poke' in step)) throw new Error('duel.json has no opponentLevel poke');
  return step.poke;
})();

describe('game glue', () => {
  it("passes the run's settings to the evaluation env", async () => {
    const levelOf = async (settings: Record<string, string>) => {
      const env = await evalEnvFactory('duel', 4, settings)({ seed: 1, noopMax: 0 } as never);
      env.reset({ seed: 1 });
      const level = (unwrap(env) as NesEnv).machine.readRam(levelAddress);
      env.close();
      return level;
    };
    expect(await levelOf({ opponentLevel: 'easy' })).toBe(0);
    expect(await levelOf({ opponentLevel: 'hard' })).toBe(2);
  });

  it('trains on the settings of the config (sync vector env)', async () => {
    const cfg = parseDqnConfig({ game: 'duel', settings: { opponentLevel: 'hard' } });
    const envs = await trainVectorEnv(cfg);
    try {
      // An unknown setting value is rejected, so the settings really reach the envs.
      await expect(
        trainVectorEnv(parseDqnConfig({ game: 'duel', settings: { opponentLevel: 'impossible' } })),
      ).rejects.toThrow(/impossible/);
      expect(envs.numEnvs).toBe(1);
    } finally {
      await envs.close();
    }
  });

  it.runIf(process.platform === 'linux')(
    'runs training env workers niced, so the learner goes first',
    async () => {
      const envs = await trainVectorEnv(parseDqnConfig({ game: 'brick', numEnvs: 2 }));
      try {
        expect((envs as WorkerVectorEnv).workerNice).toEqual(
          Array.from({ length: Math.min(2, availableParallelism()) }, () => TRAIN_ENV_WORKER_NICE),
        );
        expect(TRAIN_ENV_WORKER_NICE).toBeGreaterThan(0);
      } finally {
        await envs.close();
      }
    },
  );

  it('leaves out baselines measured under other settings', () => {
    const duel = findEntry('duel');
    const measured = duel.baselines.random?.settings ?? {};
    expect(gameInfo('duel', measured).baselines).toBeDefined();
    expect(gameInfo('duel', { ...measured, opponentLevel: 'easy' }).baselines).toBeUndefined();
    expect(gameInfo('brick').baselines).toBeDefined();
  });
});
