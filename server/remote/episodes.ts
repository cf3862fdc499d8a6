/**
 * Single-player episodes of remote agents, played and recorded exactly like evaluations: the game
 * worker (`envWorker.ts`) plays each through the arena's episode runner
 * (`agents/evaluation/runEpisodes.ts`) with an agent that relays, and this thread passes each
 * observation to the remote agent (`session.exchange`, under its time budget) and its action back.
 * The same conditions and HMAC-derived seeds (episode i of version v gets
 * `episodeSeed(secret, v, i)`), one transaction per episode with its replay, on the same
 * leaderboards. Every episode that starts is
 * recorded, whatever its outcome: an agent cannot drop a bad episode by disconnecting (it is
 * recorded as DISCONNECT with its score so far). Only a fault of the server's own (a game worker
 * dying, shutdown) leaves an episode unrecorded, and its seed is played again later.
 */
import { type EvalConditions, episodeSeed } from '../../agents/evaluation/conditions.ts';
import type { Storage } from '../storage/base.ts';
import type { Episode, EpisodeOutcome } from '../storage/types.ts';
import type { EnvHost, EnvReport } from './envHost.ts';
import { type AgentSession, Forfeit, SessionEnded } from './session.ts';

/** Which episode indices of a version are free: not recorded and not being played now. */
export class EpisodeSlots {
  private readonly inPlay = new Map<number, Set<number>>();

  constructor(
    private readonly storage: Storage,
    private readonly secret: Uint8Array,
    private readonly episodes: number,
  ) {}

  free(versionId: number): number {
    return this.freeIndices(versionId).length;
  }

  /** Takes the lowest free index; null when every episode of the version is recorded or in play. */
  reserve(versionId: number): { index: number; seed: number } | null {
    const index = this.freeIndices(versionId)[0];
    if (index === undefined) return null;
    const set = this.inPlay.get(versionId) ?? new Set<number>();
    this.inPlay.set(versionId, set);
    set.add(index);
    return { index, seed: episodeSeed(this.secret, versionId, index) };
  }

  release(versionId: number, index: number): void {
    const set = this.inPlay.get(versionId);
    set?.delete(index);
    if (set?.size === 0) this.inPlay.delete(versionId);
  }

  private freeIndices(versionId: number): number[] {
    const recorded = new Set(
      this.storage.listEpisodes({ versionId, limit: 1000 }).map((e) => e.seed),
    );
    const playing = this.inPlay.get(versionId);
    const free: number[] = [];
    for (let i = 0; i < this.episodes; i++) {
      if (playing?.has(i)) continue;
      if (!recorded.has(episodeSeed(this.secret, versionId, i))) free.push(i);
    }
    return free;
  }
}

export interface EpisodeRunnerContext {
  storage: Storage;
  host: EnvHost;
  slots: EpisodeSlots;
  conditions: EvalConditions;
  /** Frames emulated for remote agents (the service's figures). */
  countFrames(frames: number): void;
  log: (line: string) => void;
}

/** Plays the session's episodes one after another, then says `done` and ends the session. */
export async function runEpisodes(session: AgentSession, ctx: EpisodeRunnerContext): Promise<void> {
  const hello = session.hello!;
  const version = session.version!;
  session.playing = true;
  try {
    while (session.episodesPlayed < hello.episodes && !session.over) {
      const slot = ctx.slots.reserve(version.id);
      if (!slot) break;
      let played: { outcome: EpisodeOutcome; recorded: boolean };
      try {
        played = await playOne(session, ctx, slot);
      } finally {
        ctx.slots.release(version.id, slot.index);
      }
      // A forfeit ends the session; so does a version deleted under it.
      if (played.outcome !== 'OK' || !played.recorded) {
        session.end();
        return;
      }
    }
    session.send({ type: 'done', episodes: session.episodesPlayed });
    session.end();
  } catch (error) {
    if (error instanceof SessionEnded) return;
    ctx.log(`remote agent ${session.agent?.name}: ${(error as Error).message}`);
    session.end({ code: 'SERVER_ERROR', message: 'the server could not go on with this episode' });
  } finally {
    session.playing = false;
  }
}

/**
 * Plays and records one episode: relays the worker's runner and the agent to each other until the
 * runner reports the end, or until a forfeit, which ends the episode where it stands (`finish`).
 * Throws on a fault of the server's own (or `SessionEnded`).
 */
async function playOne(
  session: AgentSession,
  ctx: EpisodeRunnerContext,
  slot: { index: number; seed: number },
): Promise<{ outcome: EpisodeOutcome; recorded: boolean }> {
  const hello = session.hello!;
  const { conditions, host } = ctx;
  let report: EnvReport = await host.start({
    game: hello.game,
    seed: slot.seed,
    conditions: {
      stickyActionProbability: conditions.stickyActionProbability,
      noopMax: conditions.noopMax,
      maxEpisodeFrames: conditions.maxEpisodeFrames,
    },
    format: hello.observation,
  });
  const envId = report.id;
  session.startBudget();
  session.send({
    type: 'episode_start',
    episode: slot.index,
    maxFrames: conditions.maxEpisodeFrames,
  });
  let forfeit: Forfeit | null = null;
  ctx.countFrames(report.frames);
  let lastFrames = report.frames;
  try {
    while (!report.end) {
      let action: number;
      try {
        action = await session.exchange(report.frame, report.step);
      } catch (error) {
        if (!(error instanceof Forfeit)) throw error;
        forfeit = error;
        break;
      }
      report = await host.step(envId, action);
      ctx.countFrames(report.frames - lastFrames);
      lastFrames = report.frames;
    }
    if (forfeit) report = await host.finish(envId);
  } catch (error) {
    host.discard(envId);
    throw error;
  }
  const end = report.end!;
  const outcome: EpisodeOutcome = forfeit?.outcome ?? 'OK';
  const reason = forfeit?.reason ?? null;
  let episode: Episode | null = null;
  try {
    [episode] = ctx.storage.recordEpisodes([
      {
        versionId: session.version!.id,
        score: report.score,
        frames: report.frames,
        seed: slot.seed,
        outcome,
        reason,
        replay: {
          romSha1: end.romSha1,
          seed: slot.seed,
          settings: {
            game: hello.game,
            gameSeed: end.gameSeed,
            episodeIndex: slot.index,
            truncated: end.truncated,
            stickyActionProbability: conditions.stickyActionProbability,
            noopMax: conditions.noopMax,
            maxEpisodeFrames: conditions.maxEpisodeFrames,
            // The arena adds no exploration to remote agents' actions.
            modelEpsilon: 0,
            remote: true,
            lateReplies: session.lateReplies,
          },
          actions: end.actions,
        },
      },
    ]);
    session.episodesPlayed++;
  } catch (error) {
    // The version was deleted by its owner mid-episode: nothing to record it under.
    ctx.log(
      `remote episode of version ${session.version!.id} not recorded: ${(error as Error).message}`,
    );
  }
  session.send({
    type: 'episode_end',
    episode: slot.index,
    episodeId: episode?.id ?? null,
    outcome,
    reason,
    score: report.score,
    frames: report.frames,
    steps: report.step,
    truncated: end.truncated,
  });
  return { outcome, recorded: episode !== null };
}
