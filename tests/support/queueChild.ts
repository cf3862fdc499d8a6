/**
 * Worker process for the multi-process claim test: claims and completes jobs until the queue is
 * empty, printing each claimed job id. Usage: queueChild.ts DB WORKER_ID
 */

import { SqliteJobQueue } from '../../server/queue/sqliteJobQueue.ts';
import { SqliteStorage } from '../../server/storage/sqlite.ts';

const [path, workerId] = process.argv.slice(2);
const storage = new SqliteStorage({ path, synchronous: 'NORMAL' });
const queue = new SqliteJobQueue({ db: storage.db });
for (;;) {
  const job = await queue.claim({ workerId, leaseMs: 60_000 });
  if (!job) break;
  await queue.complete({ jobId: job.id, leaseToken: job.leaseToken, result: workerId });
  process.stdout.write(`${job.id}\n`);
}
storage.close();
