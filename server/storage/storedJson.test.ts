/**
 * JSON columns read back from SQLite are parsed with their schema: a stored value of the wrong
 * shape fails with an error naming its table and column instead of flowing on as a wrong type.
 */
import { describe, expect, it } from 'vitest';
import { addAgent, freshStorage } from '../../tests/support/storeFixtures.ts';
import { evalJobPayloadSchema } from '../eval/evaluator.ts';
import { SqliteJobQueue } from '../queue/sqliteJobQueue.ts';

describe('stored JSON', () => {
  it('reads well-formed columns back as written', () => {
    const storage = freshStorage();
    const { agentId } = addAgent(storage, { name: 'a', kind: 'builtin', versions: 0 });
    const version = storage.addAgentVersion({
      agentId,
      metadata: { builtin: 'random', nested: { list: [1, 'two', null, true] } },
      modelPaths: ['model.json', 'weights.bin'],
    });
    const read = storage.getAgentVersion(version.id)!;
    expect(read.metadata).toEqual({ builtin: 'random', nested: { list: [1, 'two', null, true] } });
    expect(read.modelPaths).toEqual(['model.json', 'weights.bin']);
    storage.close();
  });

  it('names the column of a value of the wrong shape', () => {
    const storage = freshStorage();
    const { agentId } = addAgent(storage, { name: 'a', kind: 'builtin', versions: 0 });
    const version = storage.addAgentVersion({ agentId, metadata: { builtin: 'random' } });
    const set = (column: string, value: string) =>
      storage.db
        .prepare(`UPDATE agent_versions SET ${column} = ? WHERE id = ?`)
        .run(value, version.id);
    set('metadata', '[1, 2]');
    expect(() => storage.getAgentVersion(version.id)).toThrow(/agent_versions\.metadata/);
    set('metadata', '{}');
    set('model_paths', '[1]');
    expect(() => storage.getAgentVersion(version.id)).toThrow(/agent_versions\.model_paths/);
    storage.close();
  });

  it("parses a job's payload with the queue's schema", async () => {
    const storage = freshStorage();
    const queue = new SqliteJobQueue({ db: storage.db, payloadSchema: evalJobPayloadSchema });
    const { job } = await queue.enqueue({ payload: { versionId: 7 } });
    expect((await queue.get(job.id))?.payload).toEqual({ versionId: 7 });
    storage.db
      .prepare('UPDATE eval_jobs SET payload = ? WHERE id = ?')
      .run('{"versionId": "7"}', Number(job.id));
    await expect(queue.get(job.id)).rejects.toThrow(/eval_jobs\.payload: versionId/);
    storage.close();
  });
});
