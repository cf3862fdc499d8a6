/**
 * Wall-clock leaderboard latency over 1,000,000 episodes (run on an idle machine):
 * `node bin/run-ts.mjs tests/bench/leaderboard.bench.ts [episodes] [versions]`.
 */
import { fillEpisodes, timeCalls } from '../support/perfFixtures.ts';
import { addAgent, freshStorage } from '../support/storeFixtures.ts';

const episodes = Number(process.argv[2] ?? 1_000_000);
const versionCount = Number(process.argv[3] ?? 50);
const storage = freshStorage();
const versionIds = Array.from(
  { length: versionCount },
  (_, i) => addAgent(storage, { name: `agent${i}` }).versionIds[0],
);
let t0 = performance.now();
fillEpisodes(storage, { versionIds, episodes });
storage.rebuildAggregates();
console.log(
  `filled ${episodes} episodes over ${versionCount} versions in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
const { cpu, wall } = timeCalls(() => storage.leaderboard('brick'), 2000);
console.log(`leaderboard wall p50 ${wall.p50.toFixed(3)} ms, p99 ${wall.p99.toFixed(3)} ms`);
console.log(`leaderboard cpu  p50 ${cpu.p50.toFixed(3)} ms, p99 ${cpu.p99.toFixed(3)} ms`);
t0 = performance.now();
const batch = Array.from({ length: 1000 }, (_, i) => ({
  versionId: versionIds[i % versionCount],
  score: (i * 37) % 1000,
  frames: 100,
  seed: i,
  outcome: 'OK' as const,
}));
storage.recordEpisodes(batch);
console.log(`recordEpisodes: 1000 rows in ${(performance.now() - t0).toFixed(1)} ms`);
storage.close();
