/**
 * The remote-agent wire protocol, version 1: what an agent in any language sends and receives
 * over plain WebSocket (`WS_PATH`) or socket.io (namespace `SOCKET_IO_NAMESPACE`, the `message`
 * event, i.e. `socket.send`). Both transports carry the same messages:
 *
 * - text frames are JSON messages, one per frame, tagged by `type` (schemas below);
 * - binary frames go from server to agent only and are observations: a fixed 16-byte header
 *   (`ObservationHeader`, little-endian) followed by the pixels.
 *
 * The exchange is strictly request/response: after `welcome`, every observation the server sends
 * expects exactly one `action` naming the observation's step. Anything else is a protocol error.
 */
import { z } from 'zod';
import { EPISODE_OUTCOMES } from '../storage/types.ts';

export const PROTOCOL_VERSION = 1;
/** Plain WebSocket endpoint on the arena's HTTP server. */
export const WS_PATH = '/ws/agent';
/** socket.io namespace on the arena's HTTP server (default path `/socket.io`, websocket transport). */
export const SOCKET_IO_NAMESPACE = '/agents';

/** `stack`: the 4x84x84 frame stack, oldest frame first; `frame`: the latest 84x84 frame only. */
export const OBSERVATION_FORMATS = ['stack', 'frame'] as const;
export type ObservationFormat = (typeof OBSERVATION_FORMATS)[number];
export const FRAME_SIDE = 84;
export const FRAME_STACK = 4;
export const OBSERVATION_SHAPES: Record<ObservationFormat, readonly number[]> = {
  stack: [FRAME_STACK, FRAME_SIDE, FRAME_SIDE],
  frame: [FRAME_SIDE, FRAME_SIDE],
};
export const FORMAT_CODES: Record<ObservationFormat, number> = { stack: 0, frame: 1 };

/**
 * Binary observation header, 16 bytes, little-endian:
 *
 * | offset | type | field                                                    |
 * | ------ | ---- | -------------------------------------------------------- |
 * | 0      | u8   | kind: 1 = observation                                    |
 * | 1      | u8   | protocol version (1)                                     |
 * | 2      | u8   | format: 0 = stack [4,84,84], 1 = frame [84,84]            |
 * | 3      | u8   | lives (capped at 255)                                    |
 * | 4      | u32  | step: agent steps since the episode's reset (0 = first)  |
 * | 8      | f64  | score so far (the game's own points, unclipped)          |
 * | 16     | u8[] | pixels, row-major, 0-255 grayscale                       |
 */
export const HEADER_BYTES = 16;
export const KIND_OBSERVATION = 1;

export interface ObservationHeader {
  format: ObservationFormat;
  lives: number;
  step: number;
  score: number;
}

export function pixelBytes(format: ObservationFormat): number {
  return OBSERVATION_SHAPES[format].reduce((a, b) => a * b, 1);
}

/** Writes the header into the first `HEADER_BYTES` of `frame` (which already holds the pixels). */
export function writeObservationHeader(frame: Uint8Array, header: ObservationHeader): void {
  const view = new DataView(frame.buffer, frame.byteOffset, HEADER_BYTES);
  view.setUint8(0, KIND_OBSERVATION);
  view.setUint8(1, PROTOCOL_VERSION);
  view.setUint8(2, FORMAT_CODES[header.format]);
  view.setUint8(3, Math.max(0, Math.min(255, Math.trunc(header.lives))));
  view.setUint32(4, header.step >>> 0, true);
  view.setFloat64(8, header.score, true);
}

/** Header + pixels in one buffer, ready to send as one binary frame. */
export function encodeObservation(header: ObservationHeader, pixels: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER_BYTES + pixels.length);
  frame.set(pixels, HEADER_BYTES);
  writeObservationHeader(frame, header);
  return frame;
}

/** Reads a binary observation frame; throws on anything that is not one. */
export function decodeObservation(frame: Uint8Array): ObservationHeader & { pixels: Uint8Array } {
  if (frame.length < HEADER_BYTES) throw new Error(`observation of ${frame.length} bytes`);
  const view = new DataView(frame.buffer, frame.byteOffset, HEADER_BYTES);
  if (view.getUint8(0) !== KIND_OBSERVATION) throw new Error(`frame kind ${view.getUint8(0)}`);
  if (view.getUint8(1) !== PROTOCOL_VERSION) throw new Error(`protocol ${view.getUint8(1)}`);
  const format = OBSERVATION_FORMATS.find((f) => FORMAT_CODES[f] === view.getUint8(2));
  if (!format) throw new Error(`observation format ${view.getUint8(2)}`);
  const pixels = frame.subarray(HEADER_BYTES);
  if (pixels.length !== pixelBytes(format))
    throw new Error(`${format} observation of ${pixels.length} pixel bytes`);
  return {
    format,
    lives: view.getUint8(3),
    step: view.getUint32(4, true),
    score: view.getFloat64(8, true),
    pixels,
  };
}

// ---------------------------------------------------------------------------------------------
// Agent → server (JSON text frames)

const agentName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.-]+$/, 'letters, digits, dots, dashes, underscores');

export const helloMessage = z
  .object({
    type: z.literal('hello'),
    /** The protocol version the agent speaks; the server answers UNSUPPORTED_PROTOCOL otherwise. */
    protocol: z.number().int(),
    /** The owner's API token (`POST /api/owners`). */
    token: z.string().min(1).max(256),
    /** The agent's name on the leaderboard: created as a remote agent on first use. */
    agent: agentName,
    /** A game id, e.g. `brick` (episodes) or `duel` (matches). */
    game: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a game id such as brick'),
    /** `episodes`: play single-player episodes now; `duel`: wait for matches the server offers. */
    mode: z.enum(['episodes', 'duel']).default('episodes'),
    observation: z.enum(OBSERVATION_FORMATS).default('stack'),
    /** Episodes to play in this session (`episodes` mode). */
    episodes: z.number().int().min(1).max(1000).default(1),
    /** Start a new version of the agent (after retraining) instead of continuing the latest. */
    newVersion: z.boolean().default(false),
  })
  .strict();
export type HelloMessage = z.infer<typeof helloMessage>;

export const actionMessage = z
  .object({
    type: z.literal('action'),
    /** The step of the observation this answers. */
    step: z.number().int().min(0).max(0xffffffff),
    /** Index into the game's action set (`welcome.actions`). */
    action: z.number().int(),
  })
  .strict();
export type ActionMessage = z.infer<typeof actionMessage>;

export const agentMessage = z.discriminatedUnion('type', [helloMessage, actionMessage]);
export type AgentMessage = z.infer<typeof agentMessage>;

// ---------------------------------------------------------------------------------------------
// Server → agent (JSON text frames)

export const outcomeCode = z.enum(EPISODE_OUTCOMES);

export const welcomeMessage = z.object({
  type: z.literal('welcome'),
  protocol: z.literal(PROTOCOL_VERSION),
  agentId: z.number().int(),
  versionId: z.number().int(),
  version: z.number().int(),
  game: z.string(),
  mode: z.enum(['episodes', 'duel']),
  /** Action names; an action is an index into this list. Action 0 is NOOP. */
  actions: z.array(z.string()),
  observation: z.object({
    format: z.enum(OBSERVATION_FORMATS),
    shape: z.array(z.number().int()),
    headerBytes: z.literal(HEADER_BYTES),
  }),
  budget: z.object({
    /** Each reply is due this many ms after its observation was sent. */
    stepMs: z.number(),
    /** Per-episode bank that late replies draw from. */
    bankMs: z.number(),
    /** Late replies in a row (bank empty) that forfeit the episode. */
    lateLimit: z.number().int(),
  }),
  /** Episodes this session will play (`episodes` mode). */
  episodes: z.number().int().nullable(),
});
export type WelcomeMessage = z.infer<typeof welcomeMessage>;

export const episodeStartMessage = z.object({
  type: z.literal('episode_start'),
  /** Index of the episode within its version's evaluation. */
  episode: z.number().int(),
  /** Emulator frames after which the episode is truncated. */
  maxFrames: z.number().int(),
});

export const episodeEndMessage = z.object({
  type: z.literal('episode_end'),
  episode: z.number().int(),
  /** The stored episode's id (see `/api/remote/episodes`), null if nothing was recorded. */
  episodeId: z.number().int().nullable(),
  outcome: outcomeCode,
  /** Why the episode ended abnormally; null when outcome is OK. */
  reason: z.string().nullable(),
  score: z.number(),
  frames: z.number().int(),
  steps: z.number().int(),
  truncated: z.boolean(),
});
export type EpisodeEndMessage = z.infer<typeof episodeEndMessage>;

export const matchStartMessage = z.object({
  type: z.literal('match_start'),
  /** Which controller the agent plays; observations are already from its own side. */
  side: z.union([z.literal(1), z.literal(2)]),
  opponent: z.string(),
});

export const matchEndMessage = z.object({
  type: z.literal('match_end'),
  outcome: outcomeCode,
  reason: z.string().nullable(),
  score: z.number().nullable(),
  opponentScore: z.number().nullable(),
  result: z.enum(['win', 'loss', 'draw']).nullable(),
});

export const doneMessage = z.object({
  type: z.literal('done'),
  /** Episodes played in this session. */
  episodes: z.number().int(),
});

/** Errors that end the session before or between episodes (an episode's own end is `episode_end`). */
export const SESSION_ERRORS = [
  'PROTOCOL_ERROR',
  'UNSUPPORTED_PROTOCOL',
  'UNAUTHORIZED',
  'BAD_HELLO',
  'CONFLICT',
  'SERVER_BUSY',
  'SERVER_CLOSING',
  'SERVER_ERROR',
] as const;
export type SessionErrorCode = (typeof SESSION_ERRORS)[number];

export const errorMessage = z.object({
  type: z.literal('error'),
  code: z.enum(SESSION_ERRORS),
  message: z.string(),
});

export const serverMessage = z.discriminatedUnion('type', [
  welcomeMessage,
  episodeStartMessage,
  episodeEndMessage,
  matchStartMessage,
  matchEndMessage,
  doneMessage,
  errorMessage,
]);
export type ServerMessage = z.infer<typeof serverMessage>;

/** Parses one text frame from an agent; returns the message or a one-line reason. */
export function parseAgentMessage(
  text: string,
): { ok: true; message: AgentMessage } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'a text frame that is not JSON' };
  }
  const result = agentMessage.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const problems = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'message'}: ${i.message}`)
    .join('; ');
  return { ok: false, reason: `invalid message (${problems})` };
}
