/**
 * `npm run test:unit`: the edit-test loop. Everything `npm test` runs except the suites that
 * drive a browser, talk to remote agents over the network, or start other processes (the CLI,
 * crash-and-restart durability, multi-process locking, the game build and the baselines).
 */
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'tests/e2e/**',
        'tests/remote/**',
        'cli/**/*.test.ts',
        'scripts/baselines.test.ts',
        'emulators/games/build.test.ts',
        'server/queue/sqliteJobQueue.multiprocess.test.ts',
        'server/storage/dataLock.test.ts',
        'server/storage/durability.test.ts',
        'tests/server/dataFolder.test.ts',
        'tests/server/durability.test.ts',
        'tests/server/listen.test.ts',
      ],
    },
  }),
);
