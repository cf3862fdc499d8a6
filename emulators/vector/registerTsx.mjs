// Preloaded into vector worker threads (`--import`) so that they can run TypeScript. tsx 4 only
// registers its hooks on the main thread under Node 20, so `--import tsx` alone leaves a worker
// unable to load `.ts` files; registering through its API works on every thread.
import { isMainThread } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

if (!isMainThread) register();
