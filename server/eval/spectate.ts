/**
 * Watching an evaluation while it runs, from inside the worker that plays it. A task plays its
 * episodes side by side as fast as the machine allows; spectators see one of them at a time, in a
 * live room per episode: the lowest-index episode still running, and when it ends, the next (its
 * room ends naming the next room, so viewers follow). Rooms exist while the task runs. While
 * someone watches, frames go out at most `maxFps` a second of wall-clock time, whatever the
 * emulation speed; while nobody does, one frame every `IDLE_FRAME_MS` keeps the room's last screen
 * fresh for the next viewer (and carries the viewer count back: it is reported per message).
 *
 * The rooms themselves live on the main thread: `open` (given by the worker) returns a `FrameSink`
 * across a message port (`PortSink`), whose viewer count arrives as a message. The evaluation loop
 * is synchronous, so `update` tells it when to yield to the event loop for those messages.
 */
import type { FrameSink, RoomResult } from '../stream/liveRoom.ts';

/** What the streamer reads of one running episode. */
export interface WatchableEpisode {
  /** Index of the episode within its evaluation. */
  index: number;
  done: boolean;
  /** Set once done. */
  truncated?: boolean;
  /** Agent steps taken. */
  steps: number;
  score: number;
  lives: number;
  episodeFrame: number;
  /** Name of the action the emulator last received. */
  action: string;
  /** The screen as NES palette indices, written into `out`. */
  screen(out: Uint8Array): Uint8Array;
  /** The agent's action values for its current observation (DQN agents only). */
  qValues?(): ArrayLike<number>;
}

export interface LiveEpisodeRooms {
  /** Most frames a second sent to viewers (wall clock). */
  maxFps: number;
  /** Opens the room of one episode (on the main thread) and returns its id and sink. */
  open(episodeIndex: number): { roomId: string; sink: FrameSink };
}

/** How often the evaluation loop yields so viewer counts can arrive (ms). */
const YIELD_EVERY_MS = 20;
/** A frame this often (ms) while nobody watches. */
export const IDLE_FRAME_MS = 500;

export class EvaluationStreamer {
  private watched: { episode: WatchableEpisode; sink: FrameSink } | null = null;
  private lastPublish = Number.NEGATIVE_INFINITY;
  private lastYield: number;
  private readonly pixels = new Uint8Array(256 * 240);
  private readonly period: number;

  constructor(
    private readonly rooms: LiveEpisodeRooms,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(rooms.maxFps > 0)) throw new RangeError(`maxFps must be positive, got ${rooms.maxFps}`);
    this.period = 1000 / rooms.maxFps;
    this.lastYield = now();
  }

  /** The episode on screen now, if any. */
  get watchedIndex(): number | null {
    return this.watched?.episode.index ?? null;
  }

  /**
   * Called after each step of the side-by-side loop (and once before the first). Moves to the
   * next running episode when the watched one ended, publishes its screen when a frame is due and
   * someone watches, and returns true when the loop should yield to the event loop now.
   */
  update(episodes: readonly WatchableEpisode[]): boolean {
    const current = this.watched;
    if (!current || current.episode.done) {
      const next = episodes.find((e) => !e.done);
      const opened = next ? { episode: next, ...this.rooms.open(next.index) } : null;
      if (current) this.endRoom(current, opened?.roomId);
      this.watched = opened ? { episode: opened.episode, sink: opened.sink } : null;
      this.lastPublish = Number.NEGATIVE_INFINITY;
    }
    const time = this.now();
    const watched = this.watched;
    const due = watched && watched.sink.viewerCount > 0 ? this.period : IDLE_FRAME_MS;
    if (watched && time - this.lastPublish >= due) {
      this.lastPublish = time;
      const e = watched.episode;
      watched.sink.publish({
        pixels: e.screen(this.pixels),
        step: e.steps,
        episodeFrame: e.episodeFrame,
        score: e.score,
        lives: e.lives,
        action: e.action,
        ...(e.qValues ? { qValues: e.qValues() } : {}),
      });
    }
    if (time - this.lastYield >= YIELD_EVERY_MS) {
      this.lastYield = time;
      return true;
    }
    return false;
  }

  /** Ends the open room (the task ended early, e.g. by an error). */
  stop(reason: RoomResult['reason'] = 'stopped'): void {
    if (!this.watched) return;
    const { sink, episode } = this.watched;
    this.watched = null;
    sink.end({ reason, score: episode.score, frames: episode.episodeFrame });
  }

  private endRoom(room: { episode: WatchableEpisode; sink: FrameSink }, nextRoomId?: string): void {
    const e = room.episode;
    room.sink.end({
      reason: !e.done ? 'stopped' : e.truncated ? 'truncated' : 'terminated',
      score: e.score,
      frames: e.episodeFrame,
      ...(nextRoomId ? { nextRoomId } : {}),
    });
  }
}
