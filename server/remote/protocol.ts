/**
 * The remote-agent wire protocol, version 2 (the server also speaks version 1, for agents written
 * before it): what an agent in any language sends and receives over plain WebSocket (`WS_PATH`)
 * or socket.io (namespace `SOCKET_IO_NAMESPACE`, the `message` event, i.e. `socket.send`). Both
 * transports carry the same messages:
 *
 * - text frames are JSON messages, one per frame, tagged by `type` (schemas below);
 * - binary frames go from server to agent only and are observations: a fixed little-endian header
 *   (24 bytes in version 2, 16 in version 1) followed by the pixels.
 *
 * The exchange is strictly request/response: after `welcome`, every observation the server sends
 * expects exactly one `action` naming the observation's step. Anything else is a protocol error.
 *
 * Version 2 tells the agent its time, as Kaggle's overage time does: every observation carries
 * the bank left and the steps missed in a row, and every late step is reported in a `late`
 * message. Version 1 is version 2 without both: its header stops at the score and it is sent no
 * `late` messages, so its agents see exactly what they always saw. `docs/remote-agents.md` is
 * the guide for agent authors.
 */
import { z } from 'zod';
import { formatZodError } from '../../emulators/errors.ts';
import { EPISODE_OUTCOMES } from '../storage/types.ts';

/** The protocol version these definitions describe (the one an agent should speak). */
export const PROTOCOL_VERSION = 2;
/** Versions a `hello` may name; the server speaks each as it was defined. */
export const PROTOCOL_VERSIONS = [1, 2] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];
export function isProtocolVersion(n: number): n is ProtocolVersion {
  return (PROTOCOL_VERSIONS as readonly number[]).includes(n);
}

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

/** `episodes`: play single-player episodes now; `match`: wait for the matches the server offers. */
export const PLAY_MODES = ['episodes', 'match'] as const;
export type PlayMode = (typeof PLAY_MODES)[number];
/** The names `hello.mode` accepts: the modes, and `duel`, the name `match` was first given. */
export const MODE_NAMES = ['episodes', 'match', 'duel'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

/** The mode a `hello.mode` name stands for. */
export function playMode(name: ModeName): PlayMode {
  return name === 'duel' ? 'match' : name;
}

/**
 * Binary observation header, little-endian; version 1 stops after the score:
 *
 * | offset | type | field                                                              |
 * | ------ | ---- | ------------------------------------------------------------------ |
 * | 0      | u8   | kind: 1 = observation                                              |
 * | 1      | u8   | protocol version (2, or 1)                                         |
 * | 2      | u8   | format: 0 = stack [4,84,84], 1 = frame [84,84]                      |
 * | 3      | u8   | lives (capped at 255)                                              |
 * | 4      | u32  | step: agent steps since the episode's reset (0 = first)            |
 * | 8      | f64  | score so far (the game's own points, unclipped)                    |
 * | 16     | u32  | v2: bank left, whole ms, when this observation was sent            |
 * | 20     | u32  | v2: steps missed in a row just before this one (played as NOOP)     |
 * | 24     | u8[] | pixels, row-major, 0-255 grayscale (at 16 in version 1)            |
 */
export const HEADER_BYTES = 24;
/** Version 1's header: the first 16 bytes of version 2's. */
export const HEADER_BYTES_V1 = 16;
export const KIND_OBSERVATION = 1;

export function headerBytes(
  protocol: ProtocolVersion,
): typeof HEADER_BYTES | typeof HEADER_BYTES_V1 {
  return protocol === 1 ? HEADER_BYTES_V1 : HEADER_BYTES;
}

export interface ObservationHeader {
  format: ObservationFormat;
  lives: number;
  step: number;
  score: number;
}

/** What an agent has left for its reply when an observation is sent (version 2's header). */
export interface StepTime {
  /** Bank left, ms: the reply may take `stepMs` plus this before the step is missed. */
  bankMs: number;
  /** Steps missed in a row just before this one; `lateLimit` of them forfeit. */
  missedInARow: number;
}

export type DecodedObservation = ObservationHeader & {
  protocol: ProtocolVersion;
  /** Null in version 1, which carries no time. */
  time: StepTime | null;
  pixels: Uint8Array;
};

const NO_TIME: StepTime = { bankMs: 0, missedInARow: 0 };
const U32_MAX = 0xffffffff;
const toU32 = (n: number) => Math.max(0, Math.min(U32_MAX, Math.floor(n)));

export function pixelBytes(format: ObservationFormat): number {
  return OBSERVATION_SHAPES[format].reduce((a, b) => a * b, 1);
}

/**
 * Writes a version-2 header into the first `HEADER_BYTES` of `frame` (which already holds the
 * pixels after them). The time fields are the server's to fill in when it sends the frame
 * (`observationFor`); a frame made before then carries zeros there.
 */
export function writeObservationHeader(
  frame: Uint8Array,
  header: ObservationHeader,
  time: StepTime = NO_TIME,
): void {
  const view = new DataView(frame.buffer, frame.byteOffset, HEADER_BYTES);
  view.setUint8(0, KIND_OBSERVATION);
  view.setUint8(1, PROTOCOL_VERSION);
  view.setUint8(2, FORMAT_CODES[header.format]);
  view.setUint8(3, Math.max(0, Math.min(255, Math.trunc(header.lives))));
  view.setUint32(4, header.step >>> 0, true);
  view.setFloat64(8, header.score, true);
  writeStepTime(view, time);
}

function writeStepTime(view: DataView, time: StepTime): void {
  view.setUint32(16, toU32(time.bankMs), true);
  view.setUint32(20, toU32(time.missedInARow), true);
}

/** A version-2 observation (header + pixels) in one buffer. */
export function encodeObservation(
  header: ObservationHeader,
  pixels: Uint8Array,
  time: StepTime = NO_TIME,
): Uint8Array {
  const frame = new Uint8Array(HEADER_BYTES + pixels.length);
  frame.set(pixels, HEADER_BYTES);
  writeObservationHeader(frame, header, time);
  return frame;
}

/**
 * The bytes an agent speaking `protocol` is sent for `frame`, a version-2 observation, changed in
 * place: the time fields filled in; for version 1, its 16-byte header rewritten against the
 * pixels (a view of `frame`, so nothing is copied).
 */
export function observationFor(
  protocol: ProtocolVersion,
  frame: Uint8Array,
  time: StepTime,
): Uint8Array {
  if (protocol === 2) {
    writeStepTime(new DataView(frame.buffer, frame.byteOffset, HEADER_BYTES), time);
    return frame;
  }
  const shift = HEADER_BYTES - HEADER_BYTES_V1;
  frame.copyWithin(shift, 0, HEADER_BYTES_V1);
  frame[shift + 1] = 1;
  return frame.subarray(shift);
}

/** Reads a binary observation frame of either version; throws on anything that is not one. */
export function decodeObservation(frame: Uint8Array): DecodedObservation {
  if (frame.length < HEADER_BYTES_V1) throw new Error(`observation of ${frame.length} bytes`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint8(0) !== KIND_OBSERVATION) throw new Error(`frame kind ${view.getUint8(0)}`);
  const protocol = view.getUint8(1);
  if (!isProtocolVersion(protocol)) throw new Error(`protocol ${protocol}`);
  const format = OBSERVATION_FORMATS.find((f) => FORMAT_CODES[f] === view.getUint8(2));
  if (!format) throw new Error(`observation format ${view.getUint8(2)}`);
  const offset = headerBytes(protocol);
  if (frame.length < offset) throw new Error(`observation of ${frame.length} bytes`);
  const pixels = frame.subarray(offset);
  if (pixels.length !== pixelBytes(format))
    throw new Error(`${format} observation of ${pixels.length} pixel bytes`);
  return {
    format,
    lives: view.getUint8(3),
    step: view.getUint32(4, true),
    score: view.getFloat64(8, true),
    protocol,
    time:
      protocol === 1
        ? null
        : { bankMs: view.getUint32(16, true), missedInARow: view.getUint32(20, true) },
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
    /** The protocol version the agent speaks (`PROTOCOL_VERSIONS`); UNSUPPORTED_PROTOCOL otherwise. */
    protocol: z.number().int(),
    /** The owner's API token (`POST /api/owners`). */
    token: z.string().min(1).max(256),
    /** The agent's name on the leaderboard: created as a remote agent on first use. */
    agent: agentName,
    /** A game id, e.g. `brick` (episodes) or `duel` (matches). */
    game: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a game id such as brick'),
    /** A `MODE_NAMES` name: `episodes`, or `match` (alias `duel`) for a two-player game. */
    mode: z.enum(MODE_NAMES).default('episodes'),
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
  /** The version the hello named: everything after `welcome` is in that version. */
  protocol: z.literal(PROTOCOL_VERSIONS),
  agentId: z.number().int(),
  versionId: z.number().int(),
  version: z.number().int(),
  game: z.string(),
  /** The mode as the hello named it (so `duel` is answered `duel`). */
  mode: z.enum(MODE_NAMES),
  /** Action names; an action is an index into this list. Action 0 is NOOP. */
  actions: z.array(z.string()),
  observation: z.object({
    format: z.enum(OBSERVATION_FORMATS),
    shape: z.array(z.number().int()),
    /** Where the pixels start: `HEADER_BYTES` (version 2) or `HEADER_BYTES_V1`. */
    headerBytes: z.literal([HEADER_BYTES, HEADER_BYTES_V1]),
  }),
  budget: z.object({
    /** Each reply is due this many ms after its observation was sent. */
    stepMs: z.number(),
    /** Per-episode (or per-match) bank that late replies draw from, ms. */
    bankMs: z.number(),
    /** Steps missed in a row (no reply by the deadline, bank empty) that forfeit the episode. */
    lateLimit: z.number().int(),
  }),
  /**
   * Episodes this session will play (`episodes` mode); null in `match` mode, where the server's
   * scheduler decides when and how often the agent plays.
   */
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

/**
 * A late step (version 2 only), sent as soon as the server knows: the reply took longer than
 * `stepMs`. While the bank lasts the reply is still played and its lateness leaves the bank
 * (`missed: false`, sent when the reply arrives); once the bank is empty the step is missed: at
 * its deadline the server plays NOOP (or forfeits, at the `lateLimit`-th miss in a row) without
 * waiting, and the reply is ignored when it comes (`missed: true`, sent at the deadline). Either
 * way it reaches the agent before the next observation.
 */
export const lateMessage = z.object({
  type: z.literal('late'),
  /** The step whose reply was late. */
  step: z.number().int(),
  /** Observation sent → reply received (`missed: false`) or → the deadline (`missed: true`), ms. */
  elapsedMs: z.number().int(),
  /** Bank left after this step, whole ms; 0 when missed. */
  bankMs: z.number().int(),
  /** True when no reply came by the deadline: the step was played as NOOP (or forfeit). */
  missed: z.boolean(),
  /** Steps missed in a row, this one included; `lateLimit` of them forfeit. */
  missedInARow: z.number().int(),
});
export type LateMessage = z.infer<typeof lateMessage>;

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
  lateMessage,
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
  const problems = formatZodError(result.error, 'message', 3);
  return { ok: false, reason: `invalid message (${problems})` };
}
