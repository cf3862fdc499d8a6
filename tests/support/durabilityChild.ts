/**
 * Child process for the kill -9 durability test: records one episode per transaction, forever,
 * and prints `committed <seed>` after each commit returns. Usage: durabilityChild.ts DB VERSION_ID
 */
import { SqliteStorage } from '../../server/storage/sqlite.ts';

const [path, versionArg] = process.argv.slice(2);
const storage = new SqliteStorage({ path });
const versionId = Number(versionArg);
for (let seed = 0; ; seed++) {
  storage.recordEpisodes([{ versionId, score: seed % 97, frames: 60, seed, outcome: 'OK' }]);
  process.stdout.write(`committed ${seed}\n`);
}
