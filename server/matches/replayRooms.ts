/**
 * Watching a recorded match: its replay played back into a live room (the same stream, canvas and
 * score display as live games), in real time or faster. Rooms are shared: everyone asking for the
 * same match at the same speed while it plays joins one room. At most `maxRooms` play at once,
 * and a room nobody has joined after `idleMs` stops, so playback costs nothing unwatched.
 *
 * Runs on the main thread like the showcase: a replay is emulation only (no agent), about 1-2 ms
 * a frame, so a room at real time costs a few percent of a core.
 */
import { UserError } from '../../emulators/errors.ts';
import type { Storage } from '../storage/base.ts';
import { type Clock, monotonicClock, NES_FPS } from '../stream/realtimeRunner.ts';
import type { StreamHub } from '../stream/streamHub.ts';
import type { MatchReplaySettings } from './record.ts';
import { type MatchReplayInput, replayFrames } from './replay.ts';

export const REPLAY_SPEEDS = [1, 2, 4] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

export interface MatchReplayRoomsOptions {
  hub: StreamHub;
  storage: Storage;
  /** Replays playing at once. Default 3. */
  maxRooms?: number;
  /** Stop a room nobody joined within this long. Default 15 s. */
  idleMs?: number;
  clock?: Clock;
  log?: (line: string) => void;
}

export class MatchReplayRooms {
  private readonly playing = new Map<string, AbortController>();
  private readonly maxRooms: number;
  private readonly idleMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: MatchReplayRoomsOptions) {
    this.maxRooms = options.maxRooms ?? 3;
    this.idleMs = options.idleMs ?? 15_000;
    this.clock = options.clock ?? monotonicClock;
  }

  /** The room playing `matchId` at `speed`, opened if need be. */
  watch(matchId: number, speed: ReplaySpeed = 1): { roomId: string } {
    const roomId = `replay-match-${matchId}-x${speed}`;
    if (this.playing.has(roomId)) return { roomId };
    const { storage, hub } = this.options;
    const match = storage.getMatch(matchId);
    if (!match) throw new UserError(`no match ${matchId}`, 'NOT_FOUND');
    const replay = match.replayId === null ? null : storage.getReplay(match.replayId);
    if (!replay) throw new UserError(`match ${matchId} has no replay`, 'NOT_FOUND');
    if (this.playing.size >= this.maxRooms) {
      throw new UserError(
        `${this.maxRooms} replays are playing already; join one of them or try again shortly`,
        'RATE_LIMITED',
      );
    }
    const settings = replay.settings as unknown as MatchReplaySettings;
    const nameOf = (versionId: number) => {
      const version = storage.getAgentVersion(versionId);
      const agent = version ? storage.getAgent(version.agentId) : null;
      return agent ? `${agent.name} v${version?.version}` : `version ${versionId}`;
    };
    const names = [nameOf(match.playerA), nameOf(match.playerB)];
    const room = hub.openRoom({
      roomId,
      game: match.gameId,
      kind: 'match',
      players: names.map((name) => ({ name, agentKind: 'replay' })),
      actionNames: ['NOOP', 'UP', 'DOWN'],
      fps: NES_FPS,
      speed,
    });
    const abort = new AbortController();
    this.playing.set(roomId, abort);
    const frames = replay.frames;
    void this.play(room, names, speed, abort.signal, {
      game: settings.game,
      gameSeed: settings.gameSeed,
      gameSettings: settings.gameSettings,
      controllers: replay.actions,
    })
      .catch((error: Error) => {
        this.options.log?.(`replay of match ${matchId} stopped: ${error.message}`);
        if (!room.isEnded) room.end({ reason: 'error', score: 0, frames });
      })
      .finally(() => this.playing.delete(roomId));
    return { roomId };
  }

  /** Stops every replay (server shutdown). */
  close(): void {
    for (const abort of this.playing.values()) abort.abort();
  }

  private async play(
    room: ReturnType<StreamHub['openRoom']>,
    names: string[],
    speed: number,
    signal: AbortSignal,
    input: MatchReplayInput,
  ): Promise<void> {
    const clock = this.clock;
    const period = 1000 / (NES_FPS * speed);
    // At 2x or 4x every 2nd or 4th frame is shown: viewers get at most 60 frames a second.
    const stride = speed;
    const last = input.controllers.length / 2 - 1;
    const start = clock.now();
    let frames = 0;
    let scores: [number, number] = [0, 0];
    let reason: 'terminated' | 'stopped' | 'truncated' = 'truncated';
    for (const step of replayFrames(input)) {
      frames = step.frame + 1;
      scores = [step.env.readScore(), step.env.readOpponentScore()];
      if (step.terminated) reason = 'terminated';
      if (step.frame % stride !== 0 && step.frame !== last) continue;
      const pixels = step.env.machine.screenPaletteIndices();
      await clock.sleepUntil(start + step.frame * period);
      if (signal.aborted || room.isEnded) {
        reason = 'stopped';
        break;
      }
      if (room.viewerCount === 0 && clock.now() - start > this.idleMs) {
        reason = 'stopped';
        break;
      }
      room.publish({
        pixels,
        step: step.frame,
        episodeFrame: step.frame,
        score: scores[0],
        lives: 0,
        action: step.env.actionSpace.names[step.actions[0]] ?? 'NOOP',
        players: names.map((name, i) => ({ name, score: scores[i] })),
      });
    }
    if (!room.isEnded) {
      room.end({
        reason,
        score: scores[0],
        frames,
        players: names.map((name, i) => ({ name, score: scores[i] })),
      });
    }
  }
}
