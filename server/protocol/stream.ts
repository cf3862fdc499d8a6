/**
 * The live-streaming protocol shared by the server and the dashboard: `type`-tagged unions for
 * each direction, and zod schemas for what either side receives. The client imports only from
 * `server/protocol/`, so nothing here may import Node or server code.
 *
 * Transport: a socket.io namespace (`LIVE_NAMESPACE`) and one event (`LIVE_EVENT`) each way,
 * carrying a `ServerMessage` or a `ClientMessage`. Frames travel as socket.io binary attachments.
 *
 * A viewer's life: connect (the server sends `rooms`), send `join`, receive `joined` and then
 * `frame` messages, the first of them a key frame; acknowledge with `ack` at least every
 * `ACK_EVERY_FRAMES` frames and on every key frame; on a frame it cannot decode, send
 * `keyFrameRequest` and skip deltas until a key frame arrives; `end` closes the room. Besides the
 * rooms, every viewer hears `leaderboard` when a game's scores change.
 */
import { z } from 'zod';
import type { FrameBytes } from './frameCodec.ts';

/** The socket.io namespace of live streaming. */
export const LIVE_NAMESPACE = '/live';
/** The one socket.io event name used in both directions. */
export const LIVE_EVENT = 'live';
/**
 * A viewer acknowledges at least every this many frames it has received (and every key frame).
 * The server stops sending to a viewer whose unacknowledged frames reach its window (at least
 * twice this), so a viewer that never acks sees only its first frames.
 */
export const ACK_EVERY_FRAMES = 8;

export type RoomKind = 'episode' | 'match';

/** One side of a room: an agent (or a game's built-in opponent) and what kind of agent it is. */
export interface PlayerInfo {
  /** Display name, e.g. `dqn-nature` or `cpu`. */
  name: string;
  /** Agent kind, e.g. `random`, `dqn`, `scripted`, `builtin`. */
  agentKind: string;
}

/** A game running now that can be watched. */
export interface LiveRoomInfo {
  /** Opaque id, unique among running rooms; what `join` names. */
  roomId: string;
  /** Manifest game id, e.g. `brick`. */
  game: string;
  /** `episode`: one agent plays alone; `match`: two players (Duel), players[0] on controller 1. */
  kind: RoomKind;
  /** One entry for an episode, two for a match. */
  players: PlayerInfo[];
  /** Action names by index, for the action display. */
  actionNames: string[];
  /** Frames per second the room publishes at (60 at real time). */
  fps: number;
  /**
   * Emulation speed: 1 = real time (60 NES frames a second); 0 = as fast as the machine runs (an
   * evaluation), shown at up to `fps` sampled frames a second.
   */
  speed: number;
  /** Wall-clock start, milliseconds since the Unix epoch. */
  startedAt: number;
  /** What is being played, in a few words (e.g. `evaluation · episode 4 of 30`). */
  note?: string;
}

/** One side's score in a match frame. */
export interface PlayerScore {
  name: string;
  score: number;
}

// ---- server -> client ----

/** The games running now; sent on connect, on `listRooms`, and whenever a room opens or closes. */
export interface RoomsMessage {
  type: 'rooms';
  rooms: LiveRoomInfo[];
}

/** Answers `join`: the viewer's frame and ack counters for this room start at zero now. */
export interface JoinedMessage {
  type: 'joined';
  room: LiveRoomInfo;
}

/** One published screen and the game state beside it. */
export interface FrameMessage {
  type: 'frame';
  roomId: string;
  /**
   * One encoded frame (`frameCodec.ts`): a key frame or a delta on the frame this viewer received
   * just before. A Buffer in Node, an ArrayBuffer in browsers.
   */
  frame: FrameBytes;
  /** Agent steps taken this episode (one step = 4 NES frames with the standard frame skip). */
  step: number;
  /** NES frames since the episode's reset. */
  episodeFrame: number;
  /** Player 1's game score. */
  score: number;
  /** Player 1's lives left (0 for games without lives). */
  lives: number;
  /** Name of the action player 1's controller holds this frame, e.g. `RIGHTFIRE`. */
  action: string;
  /** The agent's action values at its last decision, by action index (DQN agents only). */
  qValues?: number[];
  /** Both players' names and scores (matches only), in `LiveRoomInfo.players` order. */
  players?: PlayerScore[];
}

export type EndReason = 'terminated' | 'truncated' | 'stopped' | 'error';

/** The room closed: the episode or match is over (no more frames will come). */
export interface EndMessage {
  type: 'end';
  roomId: string;
  /** `terminated`: game over; `truncated`: frame cap; `stopped`: ended from outside; `error`. */
  reason: EndReason;
  /** Player 1's final score. */
  score: number;
  /** Final scores of both players (matches only). */
  players?: PlayerScore[];
  /** NES frames played. */
  frames: number;
  /** Where the same showcase continues, if it does: a viewer may `join` it straight away. */
  nextRoomId?: string;
}

/** A request could not be served (e.g. `join` of a room that has ended). */
export interface ErrorMessage {
  type: 'error';
  code: 'UNKNOWN_ROOM' | 'BAD_MESSAGE';
  message: string;
}

/** Longest id list a `leaderboard` message may carry. */
export const LEADERBOARD_MAX_IDS = 1000;

/**
 * Scores changed on a game's leaderboard: episodes of these versions were recorded (or versions
 * were deleted). Sent to every connected viewer, at most about once a second per game, so pages
 * showing that game or those agents reload instead of polling. It carries no scores itself: the
 * REST API stays the one source of them.
 */
export interface LeaderboardMessage {
  type: 'leaderboard';
  /** Manifest game id whose leaderboard changed. */
  game: string;
  agentIds: number[];
  versionIds: number[];
  /** Versions among `versionIds` whose evaluation has now ended (all episodes recorded). */
  evaluationsEnded: number[];
}

export type ServerMessage =
  | RoomsMessage
  | JoinedMessage
  | FrameMessage
  | EndMessage
  | ErrorMessage
  | LeaderboardMessage;

// ---- client -> server (validated by the server with `clientMessageSchema`) ----

const roomId = z.string().min(1).max(128);

export const clientMessageSchema = z.discriminatedUnion('type', [
  /** Asks for a `rooms` message. */
  z.object({ type: z.literal('listRooms') }).strict(),
  /** Starts watching a room (a viewer may watch several). */
  z.object({ type: z.literal('join'), roomId }).strict(),
  /** Stops watching a room. */
  z.object({ type: z.literal('leave'), roomId }).strict(),
  /** The viewer cannot decode its stream: the next frame it is sent will be a key frame. */
  z.object({ type: z.literal('keyFrameRequest'), roomId }).strict(),
  /** Frame messages received from this room since `joined` (a running count, not a delta). */
  z
    .object({
      type: z.literal('ack'),
      roomId,
      received: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    })
    .strict(),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

// ---- validation of what the client receives ----

const binary = z.custom<FrameBytes>(
  (value) => value instanceof Uint8Array || value instanceof ArrayBuffer,
  'expected binary frame data',
);
const ids = z.array(z.number().int().min(1)).max(LEADERBOARD_MAX_IDS);
const playerScores = z.array(z.object({ name: z.string(), score: z.number() })).max(2);
const roomInfoSchema = z.object({
  roomId,
  game: z.string(),
  kind: z.enum(['episode', 'match']),
  players: z.array(z.object({ name: z.string(), agentKind: z.string() })).max(2),
  actionNames: z.array(z.string()),
  fps: z.number(),
  speed: z.number(),
  startedAt: z.number(),
  note: z.string().max(120).optional(),
});

/** For clients that validate what the server sends (the dashboard does). */
export const serverMessageSchema: z.ZodType<ServerMessage> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('rooms'), rooms: z.array(roomInfoSchema) }),
  z.object({ type: z.literal('joined'), room: roomInfoSchema }),
  z.object({
    type: z.literal('frame'),
    roomId,
    frame: binary,
    step: z.number(),
    episodeFrame: z.number(),
    score: z.number(),
    lives: z.number(),
    action: z.string(),
    qValues: z.array(z.number()).optional(),
    players: playerScores.optional(),
  }),
  z.object({
    type: z.literal('end'),
    roomId,
    reason: z.enum(['terminated', 'truncated', 'stopped', 'error']),
    score: z.number(),
    players: playerScores.optional(),
    frames: z.number(),
    nextRoomId: roomId.optional(),
  }),
  z.object({
    type: z.literal('error'),
    code: z.enum(['UNKNOWN_ROOM', 'BAD_MESSAGE']),
    message: z.string(),
  }),
  z.object({
    type: z.literal('leaderboard'),
    game: z.string().min(1).max(64),
    agentIds: ids,
    versionIds: ids,
    evaluationsEnded: ids,
  }),
]);
