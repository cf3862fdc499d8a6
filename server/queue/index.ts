export * from './jobQueue.ts';
export { SqliteJobQueue, type SqliteJobQueueOptions } from './sqliteJobQueue.ts';
