/**
 * The OpenAPI 3.0 description of the API, served at `/api/openapi.json` and rendered by
 * `/api/docs`. Written by hand next to the routes; `tests/server/api.test.ts` checks that every
 * documented path answers.
 */

const error = { $ref: '#/components/responses/Error' };
const json = (schema: object, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});
const obj = (properties: Record<string, object>, required?: string[]) => ({
  type: 'object',
  properties,
  ...(required ? { required } : {}),
});
const int = { type: 'integer' };
const num = { type: 'number' };
const str = { type: 'string' };
const nullableNum = { type: 'number', nullable: true };
/** A greedy evaluation in a training log: mean with its 95% interval. */
const evaluation = obj({
  step: int,
  mean: num,
  ci95: { type: 'array', items: num, nullable: true },
  episodes: { ...int, nullable: true },
});
const pathId = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: int,
});
const gameParam = {
  name: 'gameId',
  in: 'path',
  required: true,
  description: 'game id, e.g. brick',
  schema: str,
};
const page = [
  {
    name: 'limit',
    in: 'query',
    schema: { ...int, minimum: 1, maximum: 1000 },
    description: 'default 100',
  },
  {
    name: 'beforeId',
    in: 'query',
    schema: int,
    description: 'keyset pagination: the last id seen',
  },
];

const leaderboardRow = obj({
  rank: {
    ...int,
    description: 'Rank (UB): 1 + number of entries whose 95% lower bound beats this upper bound',
  },
  agentId: int,
  agentName: str,
  versionId: int,
  version: int,
  owner: str,
  kind: { type: 'string', enum: ['builtin', 'uploaded', 'remote'] },
  episodes: int,
  mean: num,
  ci95: {
    type: 'array',
    items: num,
    minItems: 2,
    maxItems: 2,
    nullable: true,
    description: '95% Student t interval of the mean',
  },
  median: num,
  std: nullableNum,
  min: num,
  max: num,
  failures: int,
  normalisedScore: {
    ...nullableNum,
    description: '(mean - random) / (scripted - random), from the manifest baselines',
  },
});

const playerRef = obj({
  versionId: int,
  version: int,
  agentId: int,
  agentName: str,
  owner: str,
  kind: str,
  computerLevel: { ...str, nullable: true, description: "the game's computer at this level" },
});
const matchSchema = obj({
  id: int,
  gameId: str,
  playerA: { ...int, description: 'version on controller 1 (left)' },
  playerB: { ...int, description: 'version on controller 2 (right, sees the court mirrored)' },
  players: { type: 'array', items: playerRef, minItems: 2, maxItems: 2 },
  scoreA: num,
  scoreB: num,
  outcome: { type: 'string', enum: ['a', 'b', 'draw'] },
  seed: int,
  replayUrl: { ...str, nullable: true },
  createdAt: int,
});

export function openApiDocument(serverUrl?: string): object {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Arcade Arena API',
      version: '1',
      description:
        'Agents play NES games from pixels. Register an owner, upload a TF.js agent, and it is evaluated over ' +
        '30 episodes (up to 30 no-op starts, sticky actions 0.25, 108,000-frame cap, epsilon 0.05 for model agents). ' +
        "Seeds and replays are published once a version's evaluation has ended. Errors are always " +
        '{"error":{"code","message"}}.',
    },
    servers: [{ url: serverUrl ? `${serverUrl}/api` : '/api' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'the token from POST /owners' },
      },
      responses: {
        Error: json(
          obj({ error: obj({ code: str, message: str }, ['code', 'message']) }, ['error']),
          'an error',
        ),
      },
      schemas: { LeaderboardRow: leaderboardRow, Match: matchSchema },
    },
    paths: {
      '/health': {
        get: {
          summary: 'Server status, job counts and the evaluation conditions',
          responses: { 200: json(obj({ status: str })) },
        },
      },
      '/games': {
        get: {
          summary: 'Games on this server',
          responses: {
            200: json(obj({ games: { type: 'array', items: obj({ id: str, title: str }) } })),
          },
        },
      },
      '/games/{gameId}': {
        get: {
          summary: 'One game',
          parameters: [gameParam],
          responses: { 200: json(obj({ game: obj({}) })), 404: error },
        },
      },
      '/owners': {
        post: {
          summary: 'Register an owner; the token is returned once (rate limited)',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: obj({ name: { ...str, pattern: '^[A-Za-z0-9][\\w.-]*$' } }, ['name']),
              },
            },
          },
          responses: {
            201: json(obj({ owner: obj({ id: int, name: str }), token: str }), 'registered'),
            400: error,
            409: error,
            429: error,
          },
        },
      },
      '/agents': {
        get: {
          summary: 'Agents, optionally of one game or owner',
          parameters: [
            { name: 'game', in: 'query', schema: str },
            { name: 'owner', in: 'query', schema: int },
          ],
          responses: { 200: json(obj({ agents: { type: 'array', items: obj({}) } })) },
        },
        post: {
          summary: 'Upload an agent (a new agent, or a new version of your own agent of that name)',
          description:
            'multipart/form-data with "name" (and optionally "game", else agent.json\'s) plus either the folder\'s files, ' +
            'each as a "files" part (agent.json, model.json, the weight files, optional README.md / training-log.jsonl), ' +
            'or one .zip, .tar or .tar.gz of the folder as "archive" (plain files only: links, devices and paths outside the folder are refused). ' +
            'Validated like `arena agent check`; a rejected upload leaves nothing behind.',
          security: [{ bearer: [] }],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: obj(
                  {
                    name: str,
                    game: str,
                    files: { type: 'array', items: { type: 'string', format: 'binary' } },
                    archive: { type: 'string', format: 'binary' },
                  },
                  ['name'],
                ),
              },
            },
          },
          responses: {
            201: json(
              obj({
                agent: obj({}),
                version: obj({ id: int, version: int }),
                job: obj({ id: str }),
              }),
              'accepted',
            ),
            400: error,
            401: error,
            403: error,
            413: error,
            415: error,
            422: error,
            429: error,
          },
        },
      },
      '/agents/{id}': {
        get: {
          summary: 'An agent with its versions and their statistics',
          parameters: [pathId('id', 'agent id')],
          responses: { 200: json(obj({})), 404: error },
        },
      },
      '/agents/{id}/versions/{version}': {
        delete: {
          summary: 'Delete a version (owner only) with its episodes and replays',
          security: [{ bearer: [] }],
          parameters: [pathId('id', 'agent id'), pathId('version', 'version number (1, 2, ...)')],
          responses: {
            200: json(obj({ deleted: obj({}) })),
            401: error,
            403: error,
            404: error,
            409: error,
          },
        },
      },
      '/versions/{id}': {
        get: {
          summary: 'A version, its statistics and evaluation progress',
          parameters: [pathId('id', 'version id')],
          responses: { 200: json(obj({})), 404: error },
        },
      },
      '/versions/{id}/episodes': {
        get: {
          summary:
            "A version's episodes, newest first; seed and replayId are null until its evaluation has ended",
          parameters: [pathId('id', 'version id'), ...page],
          responses: {
            200: json(
              obj({ published: { type: 'boolean' }, episodes: { type: 'array', items: obj({}) } }),
            ),
            404: error,
          },
        },
      },
      '/versions/{id}/training-log': {
        get: {
          summary:
            "A version's training log (training-log.jsonl) as chart series: training return, episode returns, evaluations with 95% intervals",
          description:
            'Each line is checked against its kind (train, episode, eval); lines that fail are counted in invalidLines and left out. ' +
            'Series longer than 1000 points are thinned evenly (first and last kept). ' +
            'best is the evaluation of the agent the run kept as its best (the last eval line marked eval/best), or null. ' +
            "averageEvaluations are the evaluations of the run's weight average (eval/average/... on the same lines; runs trained with --average-decay), else empty. 204 (no body) when the version came without a log; 404 when there is no such version.",
          parameters: [pathId('id', 'version id')],
          responses: {
            200: json(
              obj({
                versionId: int,
                train: {
                  type: 'array',
                  items: obj({ step: int, meanReturn: num, epsilon: { ...num, nullable: true } }),
                },
                episodes: { type: 'array', items: obj({ step: int, return: num }) },
                evaluations: { type: 'array', items: evaluation },
                averageEvaluations: { type: 'array', items: evaluation },
                best: { ...obj({ step: int, mean: num }), nullable: true },
                lines: int,
                invalidLines: int,
                thinned: { type: 'boolean' },
              }),
            ),
            204: { description: 'the version came without a training log' },
            404: error,
          },
        },
      },
      '/versions/{id}/episodes/{episodeId}/replay': {
        get: {
          summary: "An episode's replay: seed, settings and one controller byte per emulator frame",
          description:
            'Reset the game with settings.gameSeed and press actions[f] on frame f to reproduce the score exactly.',
          parameters: [pathId('id', 'version id'), pathId('episodeId', 'episode id')],
          responses: {
            200: json(
              obj({
                replay: obj({
                  seed: int,
                  settings: obj({}),
                  frames: int,
                  actions: { type: 'array', items: int },
                }),
              }),
            ),
            404: error,
            409: error,
          },
        },
      },
      '/jobs': {
        get: {
          summary: 'Evaluation jobs, oldest first',
          parameters: [
            {
              name: 'state',
              in: 'query',
              schema: { type: 'string', enum: ['queued', 'running', 'completed', 'failed'] },
            },
            page[0],
          ],
          responses: {
            200: json(obj({ counts: obj({}), jobs: { type: 'array', items: obj({}) } })),
          },
        },
      },
      '/jobs/{id}': {
        get: {
          summary: 'One evaluation job',
          parameters: [pathId('id', 'job id')],
          responses: { 200: json(obj({ job: obj({}) })), 404: error },
        },
      },
      '/remote/episodes': {
        get: {
          summary:
            "The caller's remote agents' episodes, newest first, each with its outcome code and reason",
          description:
            'Outcome codes: OK, TIMEOUT (late replies in a row after the time bank ran out), DISCONNECT, ' +
            'INVALID_ACTION, PROTOCOL_ERROR. The protocol itself is in the README ("Remote agents").',
          security: [{ bearer: [] }],
          parameters: [
            { name: 'limit', in: 'query', schema: { ...int, minimum: 1, maximum: 1000 } },
            { name: 'agent', in: 'query', schema: int, description: "only this agent's episodes" },
          ],
          responses: {
            200: json(
              obj({
                episodes: {
                  type: 'array',
                  items: obj({
                    id: int,
                    agentId: int,
                    agentName: str,
                    gameId: str,
                    versionId: int,
                    version: int,
                    score: num,
                    frames: int,
                    outcome: {
                      type: 'string',
                      enum: ['OK', 'TIMEOUT', 'DISCONNECT', 'INVALID_ACTION', 'PROTOCOL_ERROR'],
                    },
                    reason: { type: 'string', nullable: true },
                    createdAt: int,
                  }),
                },
              }),
            ),
            401: error,
          },
        },
      },
      '/leaderboards': {
        get: {
          summary: 'Cross-game table: median normalised score over games',
          responses: { 200: json(obj({ rows: { type: 'array', items: obj({}) } })) },
        },
      },
      '/leaderboards/{gameId}': {
        get: {
          summary: "A game's leaderboard, best Rank (UB) first",
          parameters: [gameParam, { name: 'minEpisodes', in: 'query', schema: int }],
          responses: {
            200: json(
              obj({
                rows: { type: 'array', items: { $ref: '#/components/schemas/LeaderboardRow' } },
              }),
            ),
            404: error,
          },
        },
      },
      '/duel/ratings': {
        get: {
          summary:
            'Duel ratings: Bradley-Terry on the Elo scale (scripted agent = 1000) from every match, with 95% bootstrap intervals and Rank (UB)',
          description:
            'Refit after each match with 100 bootstrap resamples; once matches pause, with 1,000, and then `final` is true. ' +
            'The computer opponent is rated as three reference players (cpu-easy, cpu-normal, cpu-hard).',
          parameters: [
            {
              name: 'game',
              in: 'query',
              schema: str,
              description: 'default: the first two-player game',
            },
          ],
          responses: {
            200: json(
              obj({
                game: str,
                final: { type: 'boolean' },
                resamples: int,
                matches: int,
                anchor: obj({ versionId: int, agentName: str, rating: num }),
                ratings: {
                  type: 'array',
                  items: obj({
                    rank: { ...int, description: 'Rank (UB) on the 95% intervals' },
                    versionId: int,
                    version: int,
                    agentId: int,
                    agentName: str,
                    owner: str,
                    kind: str,
                    computerLevel: { ...str, nullable: true },
                    rating: num,
                    lower: num,
                    upper: num,
                    ci95: { type: 'array', items: num, minItems: 2, maxItems: 2 },
                    matches: int,
                    wins: int,
                    losses: int,
                    draws: int,
                  }),
                },
              }),
            ),
            400: error,
            404: error,
          },
        },
      },
      '/matches': {
        get: {
          summary: 'Head-to-head matches, newest first',
          parameters: [
            { name: 'game', in: 'query', schema: str },
            { name: 'version', in: 'query', schema: int, description: 'matches of this version' },
            {
              name: 'agent',
              in: 'query',
              schema: int,
              description: 'matches of any version of this agent',
            },
            ...page,
          ],
          responses: {
            200: json(
              obj({
                matches: { type: 'array', items: { $ref: '#/components/schemas/Match' } },
                nextBeforeId: { ...int, nullable: true },
              }),
            ),
            400: error,
            404: error,
          },
        },
      },
      '/matches/{id}': {
        get: {
          summary: 'One match: both players, points, outcome, frames and a link to its replay',
          parameters: [pathId('id', 'match id')],
          responses: {
            200: json(obj({ match: { $ref: '#/components/schemas/Match' } })),
            404: error,
          },
        },
      },
      '/matches/{id}/replay': {
        get: {
          summary:
            "A match's replay: game seed, settings and both controllers' bytes per emulator frame",
          description:
            'Reset the game with settings.gameSettings and settings.gameSeed, then on frame f hold controller1[f] and controller2[f]: ' +
            'the final points are the recorded ones.',
          parameters: [pathId('id', 'match id')],
          responses: {
            200: json(
              obj({
                replay: obj({
                  seed: int,
                  settings: obj({}),
                  frames: int,
                  controller1: { type: 'array', items: int },
                  controller2: { type: 'array', items: int },
                }),
              }),
            ),
            404: error,
          },
        },
      },
      '/matches/{id}/watch': {
        post: {
          summary:
            'Play a recorded match back in a live room; join the returned room on the live stream',
          parameters: [pathId('id', 'match id')],
          requestBody: {
            content: {
              'application/json': {
                schema: obj({ speed: { type: 'integer', enum: [1, 2, 4], default: 1 } }),
              },
            },
          },
          responses: {
            201: json(obj({ roomId: str }), 'playing'),
            400: error,
            404: error,
            429: error,
          },
        },
      },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: json(obj({})) } } },
      '/docs': {
        get: {
          summary: 'This document as a browsable page',
          responses: { 200: { description: 'HTML' } },
        },
      },
    },
  };
}
