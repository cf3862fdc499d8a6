// Preloaded into evaluation worker threads (`--import`) so they can load TypeScript. Under Node 20
// tsx registers its loader hooks only on the main thread when given as `--import tsx`, so each
// worker registers them itself through tsx's API.
import { isMainThread } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

if (!isMainThread) register();
