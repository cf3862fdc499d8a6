/** Test helper for dataLock.test.ts: holds the lock on the folder in argv[2] until killed. */
import { lockDataFolder } from '../../server/storage/dataLock.ts';

lockDataFolder(process.argv[2]);
process.stdout.write('locked\n');
setInterval(() => {}, 60_000);
