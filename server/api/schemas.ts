/**
 * Zod schemas for every request the API reads (path, query and body). The OpenAPI document's
 * parameters and request bodies are generated from them (`openapi.ts`).
 */
import { z } from 'zod';
import { JOB_STATES } from '../queue/jobQueue.ts';

const id = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const gameId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a game id such as brick');
const limit = z.coerce.number().int().min(1).max(1000);
const beforeId = id.describe('keyset pagination: the last id seen');

export const idParams = z.object({ id }).strict();
export const gameParams = z.object({ gameId: gameId.describe('game id, e.g. brick') }).strict();
export const versionParams = z
  .object({ id: id.describe('agent id'), version: id.describe('version number (1, 2, ...)') })
  .strict();
export const episodeParams = z
  .object({ id: id.describe('version id'), episodeId: id.describe('episode id') })
  .strict();

export const pageQuery = z
  .object({ limit: limit.describe('default 100').optional(), beforeId: beforeId.optional() })
  .strict();

export const agentsQuery = z
  .object({
    game: z.string().max(64).optional(),
    owner: id.optional(),
  })
  .strict();

export const jobsQuery = z
  .object({
    state: z.enum(JOB_STATES).optional(),
    limit: limit.optional(),
  })
  .strict();

/** `/ratings`: the game (default: the first two-player game). */
export const ratingsQuery = z
  .object({ game: gameId.describe('default: the first two-player game').optional() })
  .strict();

/** `/matches`: newest first, by game, version or agent (both: that agent's version). */
export const matchesQuery = z
  .object({
    game: gameId.optional(),
    version: id.describe('matches of this version').optional(),
    agent: id.describe('matches of any version of this agent').optional(),
    limit: limit.describe('default 50').optional(),
    beforeId: beforeId.optional(),
  })
  .strict();

/** `/remote/episodes`: the caller's remote agents' episodes. */
export const remoteEpisodesQuery = z
  .object({
    limit: limit.describe('default 100').optional(),
    agent: z.coerce.number().int().min(1).describe("only this agent's episodes").optional(),
  })
  .strict();

/** Playing a recorded match back in a live room: real time (1), or 2 or 4 times as fast. */
export const watchMatchBody = z
  .object({ speed: z.union([z.literal(1), z.literal(2), z.literal(4)]).default(1) })
  .strict();

export const leaderboardQuery = z
  .object({ minEpisodes: z.coerce.number().int().min(1).max(1000).optional() })
  .strict();

/** An owner's public name: shown on leaderboards. */
export const ownerBody = z
  .object({
    name: z
      .string()
      .min(2)
      .max(40)
      .regex(/^[A-Za-z0-9][\w.-]*$/, 'letters, digits, dots, dashes, underscores'),
  })
  .strict();

/** The text fields beside the uploaded files. */
export const uploadFields = z
  .object({
    /** The agent's name on the leaderboard; a new version when the owner already has it. */
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\w.-]+$/, 'letters, digits, dots, dashes, underscores'),
    /** Defaults to agent.json's `game`. */
    game: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
      .optional(),
  })
  .strict();
