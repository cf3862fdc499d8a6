/**
 * One live room: match runners publish screens to a `LiveRoom`; it encodes each frame once
 * (frameCodec) and fans it out through a `StreamTransport` to the room's viewers.
 *
 * Contracts:
 * - `publish` never blocks and never waits on the network: it encodes, decides per viewer, and
 *   hands one serialised message to the transport.
 * - Back-pressure is per viewer. A viewer is skipped for a frame when its connection's backlog is
 *   above `maxBacklog` messages or it has `maxUnackedFrames` frames unacknowledged (see
 *   `ACK_EVERY_FRAMES`). Skipping costs nobody else anything; the skipped viewer's next frame is
 *   a key frame, so it never receives a delta it cannot decode.
 * - Every viewer's first frame is a key frame. Key frames are encoded at most once per frame
 *   number (cached), however many viewers need one, and the shared stream has one every
 *   `keyFrameInterval` frames so clients that lost their state for any reason resynchronise.
 * - A room with no viewers does not encode: it only keeps its last screen for the next joiner.
 */
import { FrameEncoder } from '../protocol/frameCodec.ts';
import type { EndReason, FrameMessage, LiveRoomInfo, PlayerScore } from '../protocol/stream.ts';
import type { StreamTransport, ViewerId } from './transport.ts';

/** One screen and the game state beside it, as a runner publishes it. */
export interface LiveFrame {
  /** width*height NES palette indices; read only during `publish` (it may be reused after). */
  pixels: Uint8Array;
  step: number;
  episodeFrame: number;
  score: number;
  lives: number;
  action: string;
  /** The agent's action values at its last decision (sent rounded to 3 decimals). */
  qValues?: ArrayLike<number>;
  /** Both players' scores (matches). */
  players?: PlayerScore[];
}

export interface RoomResult {
  reason: EndReason;
  score: number;
  players?: PlayerScore[];
  frames: number;
  /** The room the same showcase continues in, for viewers to follow. */
  nextRoomId?: string;
}

/** What a runner needs from a room: the runner depends on this, not on the hub. */
export interface FrameSink {
  publish(frame: LiveFrame): void;
  end(result: RoomResult): void;
  /** Viewers watching now (a runner may skip optional work, e.g. Q-values, when there are none). */
  readonly viewerCount: number;
  /** True once the sink was ended (by its runner or from outside, e.g. a server shutdown). */
  readonly isEnded: boolean;
}

export interface RoomStats {
  /** Frames published. */
  frames: number;
  /** Frames that went through the encoder (frames published while someone watched). */
  encoded: number;
  /** Bytes of encoded frames in the shared stream (key and delta). */
  encodedBytes: number;
  /** Key frames encoded, periodic and on demand. */
  keyFrames: number;
  /** Milliseconds spent encoding (shared stream and on-demand key frames). */
  encodeMs: number;
  /** Frame messages not sent to a viewer because of back-pressure, summed over viewers. */
  drops: number;
  viewers: number;
}

interface ViewerState {
  /** Frame number this viewer was last sent, or -1 when its next frame must be a key frame. */
  lastSent: number;
  /** Frame messages sent to it in this room, and how many it has acknowledged. */
  sent: number;
  acked: number;
}

/** A room's share of the hub's options (see `StreamHubOptions`). */
export interface RoomSettings {
  keyFrameInterval: number;
  maxUnackedFrames: number;
  maxBacklog: number;
  width: number;
  height: number;
}

/** What the hub hands a room it opens. */
export interface LiveRoomParts {
  info: LiveRoomInfo;
  transport: StreamTransport;
  settings: RoomSettings;
  onEnd: () => void;
}

/** One running episode or match: one transport channel, one encoder, its viewers. */
export class LiveRoom implements FrameSink {
  readonly info: LiveRoomInfo;
  private readonly transport: StreamTransport;
  private readonly settings: LiveRoomParts['settings'];
  private readonly onEnd: () => void;
  private readonly encoder: FrameEncoder;
  private readonly viewers = new Map<ViewerId, ViewerState>();
  /** The last frame's message without its image, for a viewer who joins between frames. */
  private lastMeta: Omit<FrameMessage, 'frame'> | undefined;
  private keyCache: { frameNumber: number; bytes: Uint8Array } | undefined;
  private lastKeyNumber = -1;
  private nextFrameNumber = 0;
  private ended = false;
  private readonly counters = {
    frames: 0,
    encoded: 0,
    encodedBytes: 0,
    keyFrames: 0,
    encodeMs: 0,
    drops: 0,
  };

  constructor(parts: LiveRoomParts) {
    this.info = parts.info;
    this.transport = parts.transport;
    this.settings = parts.settings;
    this.onEnd = parts.onEnd;
    this.encoder = new FrameEncoder({ width: parts.settings.width, height: parts.settings.height });
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  stats(): RoomStats {
    return { ...this.counters, viewers: this.viewers.size };
  }

  /** Publishes one frame; after `end` (e.g. the hub closed) it does nothing. */
  publish(frame: LiveFrame): void {
    if (this.ended) return;
    const frameNumber = this.nextFrameNumber++;
    this.counters.frames++;
    this.lastMeta = {
      type: 'frame',
      roomId: this.info.roomId,
      step: frame.step,
      episodeFrame: frame.episodeFrame,
      score: frame.score,
      lives: frame.lives,
      action: frame.action,
      ...(frame.qValues ? { qValues: roundValues(frame.qValues) } : {}),
      ...(frame.players ? { players: frame.players.map((p) => ({ ...p })) } : {}),
    };
    if (this.viewers.size === 0) {
      this.encoder.remember(frame.pixels, frameNumber);
      this.lastKeyNumber = -1;
      return;
    }
    const base = this.encoder.lastFrameNumber;
    const periodic =
      base < 0 ||
      this.lastKeyNumber < 0 ||
      frameNumber - this.lastKeyNumber >= this.settings.keyFrameInterval;
    const started = performance.now();
    const bytes = periodic
      ? this.encoder.encodeKey(frame.pixels, frameNumber)
      : this.encoder.encodeDelta(frame.pixels, frameNumber);
    this.counters.encodeMs += performance.now() - started;
    this.counters.encoded++;
    this.counters.encodedBytes += bytes.length;
    if (periodic) {
      this.lastKeyNumber = frameNumber;
      this.keyCache = { frameNumber, bytes };
      this.counters.keyFrames++;
    }
    const except: ViewerId[] = [];
    for (const [id, viewer] of this.viewers) {
      if (this.congested(id, viewer)) {
        except.push(id);
        viewer.lastSent = -1;
        this.counters.drops++;
      } else if (periodic || viewer.lastSent === base) {
        viewer.lastSent = frameNumber;
        viewer.sent++;
      } else {
        // Missed a frame (or asked for a key): a key frame of this frame instead of the delta.
        except.push(id);
        this.sendKey(id, viewer);
      }
    }
    if (except.length < this.viewers.size) {
      this.transport.publish(this.info.roomId, { ...this.lastMeta, frame: bytes }, except);
    }
  }

  end(result: RoomResult): void {
    if (this.ended) return;
    this.ended = true;
    this.transport.publish(
      this.info.roomId,
      {
        type: 'end',
        roomId: this.info.roomId,
        reason: result.reason,
        score: result.score,
        frames: result.frames,
        ...(result.players ? { players: result.players } : {}),
        ...(result.nextRoomId ? { nextRoomId: result.nextRoomId } : {}),
      },
      [],
    );
    for (const id of this.viewers.keys()) this.transport.leave(id, this.info.roomId);
    this.viewers.clear();
    this.onEnd();
  }

  /** Adds a viewer (again: its counters restart) and sends it the last frame as a key frame. */
  addViewer(id: ViewerId): void {
    const viewer: ViewerState = { lastSent: -1, sent: 0, acked: 0 };
    this.viewers.set(id, viewer);
    this.transport.join(id, this.info.roomId);
    this.transport.send(id, { type: 'joined', room: this.info });
    if (this.lastMeta) this.sendKey(id, viewer);
  }

  removeViewer(id: ViewerId): void {
    if (this.viewers.delete(id)) this.transport.leave(id, this.info.roomId);
  }

  requestKeyFrame(id: ViewerId): void {
    const viewer = this.viewers.get(id);
    if (viewer) viewer.lastSent = -1;
  }

  acknowledge(id: ViewerId, received: number): void {
    const viewer = this.viewers.get(id);
    // Clamped: a viewer cannot acknowledge frames it was never sent to widen its window.
    if (viewer) viewer.acked = Math.max(viewer.acked, Math.min(received, viewer.sent));
  }

  private congested(id: ViewerId, viewer: ViewerState): boolean {
    return (
      viewer.sent - viewer.acked >= this.settings.maxUnackedFrames ||
      this.transport.backlog(id) > this.settings.maxBacklog
    );
  }

  /** Sends the current frame as a key frame to one viewer, encoding it only once per frame. */
  private sendKey(id: ViewerId, viewer: ViewerState): void {
    const frameNumber = this.encoder.lastFrameNumber;
    if (!this.lastMeta || frameNumber < 0) return;
    if (this.keyCache?.frameNumber !== frameNumber) {
      const started = performance.now();
      this.keyCache = { frameNumber, bytes: this.encoder.keyOfLast() };
      this.counters.encodeMs += performance.now() - started;
      this.counters.keyFrames++;
    }
    this.transport.send(id, { ...this.lastMeta, frame: this.keyCache.bytes });
    // After a stretch with no viewers this key restarts the chain, so no periodic key is due yet.
    if (this.lastKeyNumber < 0) this.lastKeyNumber = frameNumber;
    viewer.lastSent = frameNumber;
    viewer.sent++;
  }
}

function roundValues(values: ArrayLike<number>): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i] * 1000) / 1000;
  return out;
}
