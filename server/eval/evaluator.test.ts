/**
 * How the evaluator splits a version's evaluation into pool tasks: builtin agents one episode per
 * task, model agents in small batched chunks, and the first task of a version that has nothing
 * recorded ahead of other work, so a fresh server ranks every seeded agent early. The executor
 * here runs tasks in this thread and reports instant episodes: the evaluator's decisions are
 * what is under test.
 */
import { describe, expect, it } from 'vitest';
import { ARENA_CONDITIONS, episodeSeed } from '../../agents/evaluation/conditions.ts';
import { addAgent, freshStorage } from '../../tests/support/storeFixtures.ts';
import { SqliteJobQueue } from '../queue/sqliteJobQueue.ts';
import { type EvalJobPayload, Evaluator } from './evaluator.ts';
import type { EpisodeExecutor, RunTaskOptions } from './executor.ts';
import { EVAL_PRIORITY, enqueueEvaluation } from './jobs.ts';

class RecordingExecutor implements EpisodeExecutor {
  readonly size = 2;
  readonly tasks: { agent: string; priority: number; episodes: number[] }[] = [];
  async run(opts: RunTaskOptions): Promise<void> {
    const { task } = opts;
    this.tasks.push({
      agent: task.agent.kind,
      priority: opts.priority ?? 0,
      episodes: task.episodes.map((e) => e.index),
    });
    for (const e of task.episodes) {
      opts.onEpisode({
        index: e.index,
        seed: e.seed,
        score: e.index,
        frames: 1,
        truncated: false,
        romSha1: 'a'.repeat(40),
        gameSeed: 0,
        actions: new Uint8Array(1),
      });
    }
  }
  load() {
    return 0;
  }
  async close() {}
}

async function evaluate(kind: 'builtin' | 'model', recordedFirst: boolean) {
  const storage = freshStorage();
  const queue = new SqliteJobQueue<EvalJobPayload>({ db: storage.db });
  const { agentId } = addAgent(storage, { name: 'a', kind: 'builtin', versions: 0 });
  const version = storage.addAgentVersion({
    agentId,
    metadata: kind === 'builtin' ? { builtin: 'random' } : {},
  });
  const executor = new RecordingExecutor();
  const conditions = { ...ARENA_CONDITIONS, episodes: 12 };
  const evaluator = new Evaluator({
    storage,
    queue,
    executor,
    secret: new Uint8Array(32),
    dataDir: '/nonexistent',
    conditions,
    pollMs: 10,
  });
  if (recordedFirst) {
    // Episode 0 already recorded (a restarted evaluation): the version has its row, no head start.
    storage.recordEpisodes([
      {
        versionId: version.id,
        score: 1,
        frames: 1,
        seed: episodeSeed(new Uint8Array(32), version.id, 0),
        outcome: 'OK',
      },
    ]);
  }
  evaluator.start();
  const { job } = await enqueueEvaluation(queue, version.id, EVAL_PRIORITY.baseline);
  for (;;) {
    const state = (await queue.get(job.id))?.state;
    if (state === 'completed' || state === 'failed') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  evaluator.stop();
  const recorded = storage.listEpisodes({ versionId: version.id, limit: 100 }).length;
  storage.close();
  return { tasks: executor.tasks, recorded };
}

describe('Evaluator task plan', () => {
  it('plays a builtin agent one episode per task, its first one ahead of other work', async () => {
    const { tasks, recorded } = await evaluate('builtin', false);
    expect(recorded).toBe(12);
    expect(tasks).toHaveLength(12);
    expect(tasks.every((t) => t.episodes.length === 1)).toBe(true);
    expect(tasks[0].priority).toBeGreaterThan(EVAL_PRIORITY.quickBaseline);
    expect(tasks.slice(1).every((t) => t.priority === EVAL_PRIORITY.baseline)).toBe(true);
  });

  it("batches a model agent's episodes in small chunks so its job takes turns", async () => {
    const { tasks } = await evaluate('model', false);
    // The first episode alone (its row comes soonest), then the rest five at a time.
    expect(tasks.map((t) => t.episodes.length)).toEqual([1, 5, 5, 1]);
    expect(tasks.flatMap((t) => t.episodes).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i),
    );
    expect(tasks[0].priority).toBeGreaterThan(EVAL_PRIORITY.quickBaseline);
    expect(tasks[1].priority).toBe(EVAL_PRIORITY.baseline);
  });

  it("batches a model agent's every episode in chunks once it has one recorded", async () => {
    const { tasks, recorded } = await evaluate('model', true);
    expect(recorded).toBe(12);
    expect(tasks.map((t) => t.episodes.length)).toEqual([5, 5, 1]);
    expect(tasks.every((t) => t.priority === EVAL_PRIORITY.baseline)).toBe(true);
  });

  it('gives no head start to a version that already has an episode recorded', async () => {
    const { tasks, recorded } = await evaluate('builtin', true);
    expect(recorded).toBe(12);
    expect(tasks).toHaveLength(11);
    expect(tasks.every((t) => t.priority === EVAL_PRIORITY.baseline)).toBe(true);
  });
});

/** Accepts every task and never finishes one: what is claimed stays claimed. */
class StalledExecutor implements EpisodeExecutor {
  readonly size = 2;
  readonly tasks: { job: string; priority: number }[] = [];
  run(opts: RunTaskOptions): Promise<void> {
    this.tasks.push({ job: opts.group, priority: opts.priority ?? 0 });
    return new Promise(() => {});
  }
  load() {
    return this.tasks.length;
  }
  async close() {}
}

describe('Evaluator claiming', () => {
  it("claims more jobs than twice the pool's size, so every seeded agent starts at once", async () => {
    const storage = freshStorage();
    const queue = new SqliteJobQueue<EvalJobPayload>({ db: storage.db });
    const executor = new StalledExecutor();
    const jobs = 7; // the seeded agents of two games and then some: more than 2 x 2 workers
    for (let i = 0; i < jobs; i++) {
      const { agentId } = addAgent(storage, { name: `a${i}`, kind: 'builtin', versions: 0 });
      const version = storage.addAgentVersion({ agentId, metadata: { builtin: 'random' } });
      await enqueueEvaluation(queue, version.id, EVAL_PRIORITY.baseline);
    }
    const evaluator = new Evaluator({
      storage,
      queue,
      executor,
      secret: new Uint8Array(32),
      dataDir: '/nonexistent',
      conditions: { ...ARENA_CONDITIONS, episodes: 3 },
      pollMs: 10,
    });
    evaluator.start();
    const deadline = Date.now() + 10_000;
    while (evaluator.activeJobs < jobs && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    evaluator.stop();
    expect(evaluator.activeJobs).toBe(jobs);
    // Each job's first task is ahead of every job's later ones.
    const boosted = executor.tasks.filter((t) => t.priority > EVAL_PRIORITY.quickBaseline);
    expect(new Set(boosted.map((t) => t.job)).size).toBe(jobs);
    expect(boosted).toHaveLength(jobs);
    storage.close();
  });
});
