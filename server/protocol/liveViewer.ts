/**
 * The viewer's side of the live protocol, independent of socket.io and of rendering: feed it every
 * server message, give it a way to send, and it decodes frames, acknowledges them, and recovers
 * from gaps (a delta it cannot decode is skipped, a key frame is requested once, decoding resumes
 * at the next key frame). It never hands out a frame that did not decode exactly.
 */
import { FrameCodecError, FrameDecoder, readFrameHeader } from './frameCodec.ts';
import {
  ACK_EVERY_FRAMES,
  type ClientMessage,
  type EndMessage,
  type FrameMessage,
  type LeaderboardMessage,
  type LiveRoomInfo,
  type ServerMessage,
  serverMessageSchema,
} from './stream.ts';

/** A decoded frame. `pixels` (palette indices) belongs to the viewer until that room's next frame. */
export interface ViewerFrame {
  roomId: string;
  frameNumber: number;
  key: boolean;
  width: number;
  height: number;
  pixels: Uint8Array;
  /** The message the frame came in (score, lives, action, Q-values, players). */
  message: FrameMessage;
}

export interface LiveViewerOptions {
  /** Sends a message to the server, e.g. `(m) => socket.emit(LIVE_EVENT, m)`. */
  send: (message: ClientMessage) => void;
  onFrame?: (frame: ViewerFrame) => void;
  onRooms?: (rooms: LiveRoomInfo[]) => void;
  onJoined?: (room: LiveRoomInfo) => void;
  onEnd?: (end: EndMessage) => void;
  /** A game's leaderboard changed (see `LeaderboardMessage`). */
  onLeaderboard?: (change: LeaderboardMessage) => void;
  /** Protocol errors from the server and messages that fail validation. */
  onError?: (error: Error) => void;
  /** Validate each message with `serverMessageSchema` (default true). */
  validate?: boolean;
  /** Join `nextRoomId` when a room ends with one (a showcase's next episode; default false). */
  followNext?: boolean;
}

export interface ViewerRoomStats {
  /** Frame messages received since `joined`. */
  received: number;
  /** Frames decoded and handed to `onFrame`. */
  decoded: number;
  /** Frames skipped because their base was missing. */
  skipped: number;
  keyFrames: number;
  keyFrameRequests: number;
}

interface RoomState extends ViewerRoomStats {
  decoder: FrameDecoder;
  lastAck: number;
  /** A key frame was requested and has not arrived yet (asked once per gap). */
  keyRequested: boolean;
}

export class LiveViewer {
  private readonly options: LiveViewerOptions;
  private readonly rooms = new Map<string, RoomState>();

  constructor(options: LiveViewerOptions) {
    this.options = options;
  }

  listRooms(): void {
    this.options.send({ type: 'listRooms' });
  }

  join(roomId: string): void {
    this.options.send({ type: 'join', roomId });
  }

  leave(roomId: string): void {
    this.rooms.delete(roomId);
    this.options.send({ type: 'leave', roomId });
  }

  stats(roomId: string): ViewerRoomStats | undefined {
    const state = this.rooms.get(roomId);
    if (!state) return undefined;
    const { received, decoded, skipped, keyFrames, keyFrameRequests } = state;
    return { received, decoded, skipped, keyFrames, keyFrameRequests };
  }

  /** Handles one message as it came off the wire. */
  receive(raw: unknown): void {
    let message: ServerMessage;
    if (this.options.validate === false) {
      message = raw as ServerMessage;
    } else {
      const parsed = serverMessageSchema.safeParse(raw);
      if (!parsed.success) {
        this.options.onError?.(new Error(`bad live message: ${parsed.error.message}`));
        return;
      }
      message = parsed.data;
    }
    switch (message.type) {
      case 'rooms':
        this.options.onRooms?.(message.rooms);
        break;
      case 'joined':
        this.rooms.set(message.room.roomId, {
          decoder: new FrameDecoder(),
          received: 0,
          decoded: 0,
          skipped: 0,
          keyFrames: 0,
          keyFrameRequests: 0,
          lastAck: 0,
          keyRequested: false,
        });
        this.options.onJoined?.(message.room);
        break;
      case 'frame':
        this.onFrameMessage(message);
        break;
      case 'end':
        this.rooms.delete(message.roomId);
        this.options.onEnd?.(message);
        if (this.options.followNext && message.nextRoomId) this.join(message.nextRoomId);
        break;
      case 'error':
        this.options.onError?.(new Error(`${message.code}: ${message.message}`));
        break;
      case 'leaderboard':
        this.options.onLeaderboard?.(message);
        break;
    }
  }

  private onFrameMessage(message: FrameMessage): void {
    const state = this.rooms.get(message.roomId);
    if (!state) return; // a frame in flight when we left the room
    state.received++;
    let key = false;
    try {
      key = readFrameHeader(message.frame).key;
      if (state.decoder.canDecode(message.frame)) {
        const decoded = state.decoder.decode(message.frame);
        state.decoded++;
        if (key) {
          state.keyFrames++;
          state.keyRequested = false;
        }
        this.options.onFrame?.({
          roomId: message.roomId,
          frameNumber: decoded.frameNumber,
          key,
          width: decoded.width,
          height: decoded.height,
          pixels: decoded.pixels,
          message,
        });
      } else {
        this.skip(message.roomId, state);
      }
    } catch (error) {
      // A corrupt frame: drop what we have so no later delta is applied to a wrong base.
      state.decoder.reset();
      this.skip(message.roomId, state);
      if (!(error instanceof FrameCodecError)) throw error;
      this.options.onError?.(error);
    }
    if (key || state.received - state.lastAck >= ACK_EVERY_FRAMES) {
      state.lastAck = state.received;
      this.options.send({ type: 'ack', roomId: message.roomId, received: state.received });
    }
  }

  private skip(roomId: string, state: RoomState): void {
    state.skipped++;
    if (!state.keyRequested) {
      state.keyRequested = true;
      state.keyFrameRequests++;
      this.options.send({ type: 'keyFrameRequest', roomId });
    }
  }
}
