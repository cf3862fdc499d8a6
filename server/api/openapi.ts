/**
 * The OpenAPI 3.0 description of the API, served at `/api/openapi.json` and rendered by
 * `/api/docs`. It is generated from the same zod schemas the routes parse requests with
 * (`schemas.ts`) and type their answers with (`protocol/api.ts`), so it cannot drift from them;
 * `tests/server/contract.test.ts` checks every route against it on a live server.
 */
import { z } from 'zod';
import * as api from '../protocol/api.ts';
import { ERROR_STATUS, type ErrorCode, errorBody } from '../protocol/errors.ts';
import {
  agentsQuery,
  episodeParams,
  gameParams,
  idParams,
  jobsQuery,
  leaderboardQuery,
  matchesQuery,
  ownerBody,
  pageQuery,
  ratingsQuery,
  remoteEpisodesQuery,
  uploadFields,
  versionParams,
  watchMatchBody,
} from './schemas.ts';

type Method = 'get' | 'post' | 'delete';

export interface ApiResponseSpec {
  description: string;
  /** The answer's schema; `null` for an answer without a body (204). */
  schema: z.ZodType | null;
  /** Default application/json. */
  contentType?: string;
}

export interface ApiRoute {
  method: Method;
  /** In OpenAPI form, relative to `/api`: `/agents/{id}`. */
  path: string;
  summary: string;
  description?: string;
  /** Needs `Authorization: Bearer <token>`. */
  auth?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; contentType: string; required: boolean };
  /** The successful answers, by status. */
  responses: Partial<Record<number, ApiResponseSpec>>;
  /** The error codes it may answer (each documented with its status). */
  errors: ErrorCode[];
  /** Kept for existing clients; `alias` is the path to use instead. */
  deprecated?: { alias: string };
}

const ok = (schema: z.ZodType, description = 'OK'): ApiResponseSpec => ({ description, schema });

/** The multipart form of an upload: the text fields and the files. */
const uploadForm = z.strictObject({
  ...uploadFields.shape,
  files: z
    .array(z.string().meta({ format: 'binary' }))
    .optional()
    .describe('each file of the agent folder (agent.json, model.json, the weight files, …)'),
  archive: z
    .string()
    .meta({ format: 'binary' })
    .optional()
    .describe('or one .zip, .tar or .tar.gz of the folder'),
});

const ratingsRoute = (path: string, deprecated?: { alias: string }): ApiRoute => ({
  method: 'get',
  path,
  summary:
    'Ratings from head-to-head matches: Bradley-Terry on the Elo scale (scripted agent = 1000), with 95% bootstrap intervals and Rank (UB)',
  description:
    'Refit after each match with 100 bootstrap resamples; once matches pause, with 1,000, and then `final` is true. ' +
    'The computer opponent is rated as three reference players (cpu-easy, cpu-normal, cpu-hard).',
  query: ratingsQuery,
  responses: { 200: ok(api.ratingsResponse) },
  errors: ['BAD_REQUEST', 'BAD_GAME', 'NOT_FOUND'],
  deprecated,
});

/** Every route of the API router, in the order the document lists them. */
export const API_ROUTES: ApiRoute[] = [
  {
    method: 'get',
    path: '/health',
    summary: 'Server status, job counts and the evaluation conditions',
    responses: { 200: ok(api.healthResponse) },
    errors: [],
  },
  {
    method: 'get',
    path: '/games',
    summary: 'Games on this server',
    responses: { 200: ok(api.gamesResponse) },
    errors: [],
  },
  {
    method: 'get',
    path: '/games/{gameId}',
    summary: 'One game',
    params: gameParams,
    responses: { 200: ok(api.gameResponse) },
    errors: ['BAD_REQUEST', 'NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/owners',
    summary: 'Register an owner; the token is returned once (rate limited)',
    body: { schema: ownerBody, contentType: 'application/json', required: true },
    responses: { 201: ok(api.registrationResponse, 'registered') },
    errors: [
      'BAD_REQUEST',
      'CONFLICT',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'RATE_LIMITED',
    ],
  },
  {
    method: 'get',
    path: '/agents',
    summary: 'Agents, optionally of one game or owner',
    query: agentsQuery,
    responses: { 200: ok(api.agentsResponse) },
    errors: ['BAD_REQUEST'],
  },
  {
    method: 'post',
    path: '/agents',
    summary: 'Upload an agent (a new agent, or a new version of your own agent of that name)',
    description:
      'multipart/form-data with "name" (and optionally "game", else agent.json\'s) plus either the folder\'s files, ' +
      'each as a "files" part (agent.json, model.json, the weight files, optional README.md / training-log.jsonl), ' +
      'or one .zip, .tar or .tar.gz of the folder as "archive" (plain files only: links, devices and paths outside the folder are refused). ' +
      'Validated like `arena agent check`; a rejected upload leaves nothing behind.',
    auth: true,
    body: { schema: uploadForm, contentType: 'multipart/form-data', required: true },
    responses: { 201: ok(api.uploadResponse, 'accepted: its evaluation is queued') },
    errors: [
      'BAD_REQUEST',
      'BAD_GAME',
      'UNAUTHORIZED',
      'FORBIDDEN',
      'CONFLICT',
      'LENGTH_REQUIRED',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'AGENT_INVALID',
      'RATE_LIMITED',
    ],
  },
  {
    method: 'get',
    path: '/agents/{id}',
    summary: 'An agent with its versions and their statistics',
    params: idParams,
    responses: { 200: ok(api.agentDetailsResponse) },
    errors: ['BAD_REQUEST', 'NOT_FOUND'],
  },
  {
    method: 'delete',
    path: '/agents/{id}/versions/{version}',
    summary: 'Delete a version (owner only) with its episodes and replays',
    auth: true,
    params: versionParams,
    responses: { 200: ok(api.versionDeletionResponse) },
    errors: ['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
  },
  {
    method: 'get',
    path: '/versions/{id}',
    summary: 'A version, its statistics and evaluation progress',
    params: idParams,
    responses: { 200: ok(api.versionDetailsResponse) },
    errors: ['BAD_REQUEST', 'NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/versions/{id}/training-log',
    summary:
      "A version's training log (training-log.jsonl) as chart series: training return, episode returns, evaluations with 95% intervals",
    description:
      'Each line is checked against its kind (train, episode, eval); lines that fail are counted in invalidLines and left out. ' +
      'Series longer than 1000 points are thinned evenly (first and last kept). ' +
      'best is the evaluation of the agent the run kept as its best (the last eval line marked eval/best), or null. ' +
      "averageEvaluations are the evaluations of the run's weight average (eval/average/... on the same lines; runs trained with --average-decay), else empty.",
    params: idParams,
    responses: {
      200: ok(api.trainingLogResponse),
      204: { description: 'the version came without a training log', schema: null },
    },
    errors: ['BAD_REQUEST', 'NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/versions/{id}/episodes',
    summary:
      "A version's episodes, newest first; seed and replayId are null until its evaluation has ended",
    params: idParams,
    query: pageQuery,
    responses: { 200: ok(api.episodesResponse) },
    errors: ['BAD_REQUEST', 'NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/versions/{id}/episodes/{episodeId}/replay',
    summary: "An episode's replay: seed, settings and one controller byte per emulator frame",
    description:
      'Reset the game with settings.gameSeed and press actions[f] on frame f to reproduce the score exactly.',
    params: episodeParams,
    responses: { 200: ok(api.episodeReplayResponse) },
    errors: ['BAD_REQUEST', 'NOT_FOUND', 'EVALUATION_RUNNING'],
  },
  {
    method: 'get',
    path: '/leaderboards',
    summary: 'Cross-game table: median normalised score over games',
    query: leaderboardQuery,
    responses: { 200: ok(api.crossGameResponse) },
    errors: ['BAD_REQUEST'],
  },
  {
    method: 'get',
    path: '/leaderboards/{gameId}',
    summary: "A game's leaderboard, best Rank (UB) first",
    params: gameParams,
    query: leaderboardQuery,
    responses: { 200: ok(api.leaderboardResponse) },
    errors: ['BAD_REQUEST', 'NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/jobs',
    summary: 'Evaluation jobs, oldest first',
    query: jobsQuery,
    responses: { 200: ok(api.jobsResponse) },
    errors: ['BAD_REQUEST'],
  },
  {
    method: 'get',
    path: '/jobs/{id}',
    summary: 'One evaluation job',
    params: idParams,
    responses: { 200: ok(api.jobResponse) },
    errors: ['BAD_REQUEST', 'NOT_FOUND'],
  },
  ratingsRoute('/ratings'),
  ratingsRoute('/duel/ratings', { alias: '/ratings' }),
  {
    method: 'get',
    path: '/matches',
    summary: 'Head-to-head matches, newest first',
    description:
      'By game, by version, or by agent (any of its versions; with version too, that version only).',
    query: matchesQuery,
    responses: { 200: ok(api.matchesResponse) },
    errors: ['BAD_REQUEST', 'NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/matches/{id}',
    summary: 'One match: both players, points, outcome, frames and a link to its replay',
    params: idParams,
    responses: { 200: ok(api.matchResponse) },
    errors: ['BAD_REQUEST', 'NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/matches/{id}/replay',
    summary: "A match's replay: game seed, settings and both controllers' bytes per emulator frame",
    description:
      'Reset the game with settings.gameSettings and settings.gameSeed, then on frame f hold controller1[f] and controller2[f]: ' +
      'the final points are the recorded ones.',
    params: idParams,
    responses: { 200: ok(api.matchReplayResponse) },
    errors: ['BAD_REQUEST', 'NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/matches/{id}/watch',
    summary: 'Play a recorded match back in a live room; join the returned room on the live stream',
    params: idParams,
    body: { schema: watchMatchBody, contentType: 'application/json', required: false },
    responses: { 201: ok(api.watchResponse, 'playing') },
    errors: ['BAD_REQUEST', 'NOT_FOUND', 'RATE_LIMITED'],
  },
  {
    method: 'get',
    path: '/remote/episodes',
    summary:
      "The caller's remote agents' episodes, newest first, each with its outcome code and reason",
    description:
      'Outcome codes: OK, TIMEOUT (late replies in a row after the time bank ran out), DISCONNECT, ' +
      'INVALID_ACTION, PROTOCOL_ERROR. The protocol itself is in docs/remote-agents.md.',
    auth: true,
    query: remoteEpisodesQuery,
    responses: { 200: ok(api.remoteEpisodesResponse) },
    errors: ['BAD_REQUEST', 'UNAUTHORIZED'],
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    responses: { 200: ok(api.openApiResponse) },
    errors: [],
  },
  {
    method: 'get',
    path: '/docs',
    summary: 'This document as a browsable page',
    responses: {
      200: { description: 'HTML', schema: api.docsPageResponse, contentType: 'text/html' },
    },
    errors: [],
  },
];

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;

interface JsonObjectSchema {
  properties?: Record<string, { description?: string } & Record<string, unknown>>;
  required?: string[];
}

function parameters(where: 'path' | 'query', schema: z.ZodObject | undefined) {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as JsonObjectSchema;
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function operation(route: ApiRoute) {
  const responses: Record<string, { description: string; content?: unknown }> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    if (!spec) continue;
    responses[status] = spec.schema
      ? {
          description: spec.description,
          content: {
            [spec.contentType ?? 'application/json']: { schema: jsonSchema(spec.schema, 'output') },
          },
        }
      : { description: spec.description };
  }
  // One entry per status: the codes that share it are listed in its description.
  for (const code of [...route.errors, 'INTERNAL' as const]) {
    const status = String(ERROR_STATUS[code]);
    const known = responses[status];
    responses[status] = {
      description: known ? `${known.description}, ${code}` : code,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.deprecated ? { deprecated: true, 'x-alias-of': route.deprecated.alias } : {}),
    ...(route.auth ? { security: [{ bearer: [] }] } : {}),
    ...(route.params || route.query
      ? { parameters: [...parameters('path', route.params), ...parameters('query', route.query)] }
      : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.body.required,
            content: {
              [route.body.contentType]: { schema: jsonSchema(route.body.schema, 'input') },
            },
          },
        }
      : {}),
    responses,
  };
}

export function openApiDocument(serverUrl?: string) {
  const paths: Record<string, Record<string, ReturnType<typeof operation>>> = {};
  for (const route of API_ROUTES) {
    paths[route.path] ??= {};
    paths[route.path][route.method] = operation(route);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Arcade Arena API',
      version: '1',
      description:
        'Agents play NES games from pixels. Register an owner, upload a TF.js agent, and it is evaluated over ' +
        '30 episodes (up to 30 no-op starts, sticky actions 0.25, 108,000-frame cap, epsilon 0.05 for model agents). ' +
        "Seeds and replays are published once a version's evaluation has ended. Errors are always " +
        '{"error":{"code","message"}}; the code decides the status: ' +
        Object.entries(ERROR_STATUS)
          .map(([code, status]) => `${code} ${status}`)
          .join(', ') +
        '.',
    },
    servers: [{ url: serverUrl ? `${serverUrl}/api` : '/api' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'the token from POST /owners' },
      },
      schemas: { Error: jsonSchema(errorBody, 'output') },
    },
    paths,
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
