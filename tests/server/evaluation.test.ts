/**
 * Evaluation end to end on a seeded server (random and scripted agents on Brick): episodes are
 * recorded, a crashed worker fails its job with a reason and the retry completes it, seeds and
 * replays stay hidden until a version's evaluation ends, leaderboards are ordered by Rank (UB),
 * and every replay reproduces its episode's score exactly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { episodeSeed } from '../../agents/evaluation/conditions.ts';
import { replayEpisode } from '../../server/eval/replay.ts';
import type { WorkerPool } from '../../server/workers/pool.ts';
import { api, startTestServer, type TestServer, waitFor } from './helpers.ts';

let server: TestServer;
const hiddenWhileRunning: boolean[] = [];
let crashed = false;

beforeAll(async () => {
  server = await startTestServer({ seed: true, workers: 1 });
  // Crash the worker under the first running task, then watch seeds while episodes come in.
  crashed = await waitFor(() => (server.executor as WorkerPool).crashOne(), {
    timeoutMs: 60_000,
    intervalMs: 20,
    what: 'a running task',
  });
  await waitFor(
    async () => {
      const jobs = (await api(server, '/jobs')).body.jobs as { versionId: number; state: string }[];
      for (const job of jobs) {
        const eps = await api(server, `/versions/${job.versionId}/episodes`);
        const n = eps.body.episodes.length;
        if (n > 0 && n < 3) {
          hiddenWhileRunning.push(
            eps.body.published === false &&
              eps.body.episodes.every((e: { seed: unknown }) => e.seed === null),
          );
          const replay = await api(
            server,
            `/versions/${job.versionId}/episodes/${eps.body.episodes[0].id}/replay`,
          );
          // Counts only when the evaluation was still running after the replay was asked for.
          const after = await api(server, `/versions/${job.versionId}/episodes`);
          if (after.body.published === false) hiddenWhileRunning.push(replay.status === 409);
        }
      }
      return jobs.length >= 2 && jobs.every((j) => j.state === 'completed');
    },
    { timeoutMs: 180_000, intervalMs: 150, what: 'every evaluation to complete' },
  );
}, 240_000);

afterAll(async () => {
  await server?.dispose();
});

describe('evaluation', () => {
  it('seeds the bundled game with the builtin agents and evaluates both', async () => {
    const agents = (await api(server, '/agents?game=brick')).body.agents.map(
      (a: { name: string }) => a.name,
    );
    expect(agents.sort()).toEqual(['random', 'scripted']);
    const board = (await api(server, '/leaderboards/brick')).body;
    expect(board.rows).toHaveLength(2);
    for (const row of board.rows) {
      expect(row.episodes).toBe(3);
      expect(row.owner).toBe('arena');
      expect(row.ci95).toHaveLength(2);
      expect(row.ci95[0]).toBeLessThanOrEqual(row.mean);
    }
  });

  it('fails the job of a crashed worker with a reason and completes it on retry', async () => {
    expect(crashed).toBe(true);
    const jobs = (await api(server, '/jobs')).body.jobs as {
      attempts: number;
      lastError: string | null;
      state: string;
    }[];
    const retried = jobs.find((j) => j.attempts > 1);
    expect(retried?.lastError).toMatch(/worker crashed/);
    expect(retried?.state).toBe('completed');
  });

  it('hides seeds and replays while an evaluation runs', () => {
    expect(hiddenWhileRunning.length).toBeGreaterThan(0);
    expect(hiddenWhileRunning.every(Boolean)).toBe(true);
  });

  it('orders the leaderboard by Rank (UB) and publishes a cross-game table', async () => {
    const rows = (await api(server, '/leaderboards/brick')).body.rows as {
      rank: number;
      mean: number;
      ci95: [number, number];
    }[];
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].rank).toBeGreaterThanOrEqual(rows[i - 1].rank);
      if (rows[i].rank > rows[i - 1].rank)
        expect(rows[i - 1].ci95[0]).toBeGreaterThan(rows[i].ci95[1]);
    }
    const cross = (await api(server, '/leaderboards')).body;
    expect(cross.rows.map((r: { agentName: string }) => r.agentName).sort()).toEqual([
      'random',
      'scripted',
    ]);
  });

  it('derives distinct per-version seeds from the server secret and publishes them after the evaluation', async () => {
    const secret = Buffer.from(
      readFileSync(join(server.dataDir, 'secret.key'), 'utf8').trim(),
      'hex',
    );
    const all = new Set<number>();
    for (const row of (await api(server, '/leaderboards/brick')).body.rows) {
      const eps = await api(server, `/versions/${row.versionId}/episodes`);
      expect(eps.body.published).toBe(true);
      const expected = [0, 1, 2].map((i) => episodeSeed(secret, row.versionId, i)).sort();
      expect(eps.body.episodes.map((e: { seed: number }) => e.seed).sort()).toEqual(expected);
      for (const s of expected) all.add(s);
    }
    expect(all.size).toBe(6);
  });

  it("replays reproduce every episode's score exactly", async () => {
    for (const row of (await api(server, '/leaderboards/brick')).body.rows) {
      // Two episodes per version keep the test quick; the others replay the same way.
      for (const episode of (
        await api(server, `/versions/${row.versionId}/episodes`)
      ).body.episodes.slice(0, 2)) {
        const { body } = await api(
          server,
          `/versions/${row.versionId}/episodes/${episode.id}/replay`,
        );
        expect(body.replay.seed).toBe(episode.seed);
        const outcome = replayEpisode({
          game: 'brick',
          gameSeed: body.replay.settings.gameSeed,
          actions: body.replay.actions,
        });
        expect(outcome.frames).toBe(episode.frames);
        expect(outcome.score).toBe(episode.score);
      }
    }
  });
});
