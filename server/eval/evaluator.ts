/**
 * The evaluation loop: claims jobs from the `JobQueue`, plays each version's episodes through an
 * `EpisodeExecutor` and records every finished episode at once, in its own transaction, with its
 * replay. It depends only on the Storage, JobQueue and EpisodeExecutor interfaces.
 *
 * Durability: an episode is in the database before the next one is reported, so `kill -9` loses
 * at most the episodes still being played. On restart the server calls `requeueRunning()`; the
 * re-claimed job skips every seed already recorded for its version and plays only the rest (and
 * recording is idempotent per job/version/seed in the storage layer besides).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { type EvalConditions, episodeSeeds } from '../../agents/evaluation/conditions.ts';
import { findEntry } from '../../emulators/manifest/index.ts';
import type { ArenaEvents } from '../events/index.ts';
import { TASK_PRIORITY } from '../priorities.ts';
import type { ClaimedJob, JobQueue } from '../queue/jobQueue.ts';
import type { Storage } from '../storage/base.ts';
import type { AgentVersion } from '../storage/types.ts';
import type { EpisodeExecutor, LiveRoomHandler, RunTaskOptions } from './executor.ts';
import type { AgentSpec, EpisodeResult, EpisodeSpec } from './task.ts';

/** A job asks for one agent version's evaluation. */
export const evalJobPayloadSchema = z.strictObject({ versionId: z.number().int().positive() });
export type EvalJobPayload = z.infer<typeof evalJobPayloadSchema>;

export interface EvaluatorOptions {
  storage: Storage;
  queue: JobQueue<EvalJobPayload>;
  executor: EpisodeExecutor;
  /** Server secret the episode seeds are derived from. */
  secret: Uint8Array;
  /** Data folder; uploaded agents live in `<dataDir>/agents/<versionId>/`. */
  dataDir: string;
  conditions: EvalConditions;
  /** Lease per claim; heartbeats renew it every third of it. Default 60 s. */
  leaseMs?: number;
  /**
   * Jobs in progress at once. Default eight per worker: many more jobs than workers lets the
   * executor interleave them by priority and round-robin, so every waiting version plays its
   * first episode soon and short evaluations are not stuck behind long ones. Queued tasks cost
   * only memory; the limit bounds how much one process takes from a shared queue.
   */
  maxActiveJobs?: number;
  /** How often to look for work when idle. Default 250 ms. */
  pollMs?: number;
  /** Told of every recorded episode and finished evaluation (leaderboard changes). */
  events?: ArenaEvents;
  /** Where running evaluations are shown live; absent, nobody can watch them. */
  spectators?: EvaluationSpectators;
  log?: (line: string) => void;
}

/** Hosts the live rooms of running evaluations (the live stream's hub). */
export interface EvaluationSpectators {
  /** Most frames a second an evaluation's room sends its viewers (sampled from a faster run). */
  maxFps: number;
  host: LiveRoomHandler;
}

/** Where a version's model files live (uploaded and bundled model agents). */
export function versionDir(dataDir: string, versionId: number): string {
  return join(dataDir, 'agents', String(versionId));
}

/** How a version is played, from the metadata written when it was created. */
export function agentSpecOf(version: AgentVersion, dataDir: string): AgentSpec {
  const builtin = version.metadata.builtin;
  if (typeof builtin === 'string') return { kind: 'builtin', name: builtin };
  return { kind: 'model', dir: versionDir(dataDir, version.id) };
}

export class Evaluator {
  private readonly opts: Required<Omit<EvaluatorOptions, 'log' | 'events' | 'spectators'>> & {
    log: (line: string) => void;
    events?: ArenaEvents;
    spectators?: EvaluationSpectators;
  };
  private readonly workerId = `${hostname()}:${process.pid}`;
  private readonly active = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private polling = false;

  constructor(options: EvaluatorOptions) {
    this.opts = {
      leaseMs: 60_000,
      pollMs: 250,
      maxActiveJobs: 8 * options.executor.size,
      log: () => {},
      ...options,
    };
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops claiming; running jobs end when the executor closes (their leases lapse). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resolves once every job this process started has settled (after `stop` and closing the executor). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.active]);
  }

  /** Jobs in progress in this process. */
  get activeJobs(): number {
    return this.active.size;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), delayMs);
    this.timer.unref();
  }

  /** Claims jobs while fewer than `maxActiveJobs` are in progress. */
  private async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      while (!this.stopped && this.active.size < this.opts.maxActiveJobs) {
        const job = await this.opts.queue.claim({
          workerId: this.workerId,
          leaseMs: this.opts.leaseMs,
        });
        if (!job) break;
        const run = this.process(job)
          .catch((error) => this.opts.log(`evaluator: job ${job.id}: ${(error as Error).message}`))
          .finally(() => {
            this.active.delete(run);
            this.schedule(0);
          });
        this.active.add(run);
      }
    } catch (error) {
      this.opts.log(`evaluator: ${(error as Error).message}`);
    } finally {
      this.polling = false;
      this.schedule(this.opts.pollMs);
    }
  }

  private async process(job: ClaimedJob<EvalJobPayload>): Promise<void> {
    const { storage, queue, executor, conditions, leaseMs } = this.opts;
    const lease = { jobId: job.id, leaseToken: job.leaseToken };
    const versionId = job.payload?.versionId;
    const version = typeof versionId === 'number' ? storage.getAgentVersion(versionId) : null;
    const agent = version ? storage.getAgent(version.agentId) : null;
    if (!version || !agent) {
      await queue.fail({
        ...lease,
        error: `agent version ${versionId} no longer exists`,
        retry: false,
      });
      return;
    }
    const seeds = episodeSeeds(this.opts.secret, version.id, conditions.episodes);
    const recorded = new Set(
      storage.listEpisodes({ versionId: version.id, limit: 1000 }).map((e) => e.seed),
    );
    const pending: EpisodeSpec[] = seeds
      .map((seed, index) => ({ index, seed }))
      .filter((e) => !recorded.has(e.seed));
    const spec = agentSpecOf(version, this.opts.dataDir);
    const heartbeat = setInterval(
      () => {
        queue.heartbeat({ ...lease, leaseMs }).catch(() => {});
      },
      Math.max(1000, Math.floor(leaseMs / 3)),
    );
    heartbeat.unref();
    const jobId = Number(job.id);
    const record = (r: EpisodeResult) => {
      storage.recordEpisodes([
        {
          versionId: version.id,
          score: r.score,
          frames: r.frames,
          seed: r.seed,
          outcome: 'OK',
          jobId,
          replay: {
            romSha1: r.romSha1,
            seed: r.seed,
            settings: {
              game: agent.gameId,
              gameSeed: r.gameSeed,
              episodeIndex: r.index,
              truncated: r.truncated,
              stickyActionProbability: conditions.stickyActionProbability,
              noopMax: conditions.noopMax,
              maxEpisodeFrames: conditions.maxEpisodeFrames,
              modelEpsilon: spec.kind === 'model' ? conditions.modelEpsilon : 0,
            },
            actions: r.actions,
          },
        },
      ]);
      this.opts.events?.leaderboardChanged({
        game: agent.gameId,
        agentId: agent.id,
        versionId: version.id,
        evaluationEnded: false,
      });
    };
    try {
      this.opts.log(
        `evaluating ${agent.gameId}/${agent.name} v${version.version}: ${pending.length} of ${seeds.length} episodes to play`,
      );
      // Builtin agents gain nothing from batching, so each episode is its own task and jobs
      // interleave finely; a model agent's episodes are batched in small chunks, so its job
      // interleaves with others too rather than holding every worker for the whole evaluation.
      // A version with nothing recorded yet plays one episode alone ahead of other work, so
      // every agent has a leaderboard row soon (a fresh server ranks all its seeded agents in a
      // minute): alone, because five episodes in lockstep finish their first later than one.
      const unranked = recorded.size === 0;
      const chunks =
        spec.kind === 'builtin'
          ? pending.map((e) => [e])
          : unranked
            ? [pending.slice(0, 1), ...chunksOf(pending.slice(1), MODEL_CHUNK_EPISODES)]
            : chunksOf(pending, MODEL_CHUNK_EPISODES);
      const firstPriority = unranked
        ? job.priority + TASK_PRIORITY.firstEpisodeBoost
        : job.priority;
      const spectators = this.opts.spectators;
      const live: RunTaskOptions['live'] = spectators && {
        options: {
          roomPrefix: `eval-${job.id}`,
          maxFps: spectators.maxFps,
          episodes: conditions.episodes,
          room: {
            game: agent.gameId,
            kind: 'episode',
            players: [
              {
                name: `${agent.name} v${version.version}`,
                agentKind: spec.kind === 'builtin' ? spec.name : 'dqn',
              },
            ],
            actionNames: [...findEntry(agent.gameId).actions],
            fps: spectators.maxFps,
            speed: 0,
          },
        },
        onRoom: spectators.host,
      };
      // Wait for every chunk even when one fails, so no episode of this claim is still being
      // recorded when the job goes back to the queue.
      const outcomes = await Promise.allSettled(
        chunks.map((episodes, k) =>
          executor.run({
            group: job.id,
            priority: k === 0 ? firstPriority : job.priority,
            task: { game: agent.gameId, conditions, agent: spec, episodes },
            onEpisode: record,
            live,
          }),
        ),
      );
      const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failure) throw failure.reason;
      const total = storage.listEpisodes({ versionId: version.id, limit: 1000 }).length;
      await queue.complete({ ...lease, result: { episodes: total } });
      this.opts.events?.leaderboardChanged({
        game: agent.gameId,
        agentId: agent.id,
        versionId: version.id,
        evaluationEnded: total >= conditions.episodes,
      });
      this.opts.log(`evaluated ${agent.gameId}/${agent.name} v${version.version}`);
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      // Shutting down: leave the job running; the next start re-queues it (requeueRunning).
      if (this.stopped) return;
      // A version deleted mid-evaluation cannot record more episodes: no point retrying.
      const gone = storage.getAgentVersion(version.id) === null;
      const state = await queue.fail({ ...lease, error: message, retry: !gone });
      this.opts.log(
        `evaluation of version ${version.id} failed (${state ?? 'lease lost'}): ${message}`,
      );
    } finally {
      clearInterval(heartbeat);
    }
  }
}

/** Episodes of a model agent played side by side in one task (one batched forward pass). */
const MODEL_CHUNK_EPISODES = 5;

function chunksOf<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
