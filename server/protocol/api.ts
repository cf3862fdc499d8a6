/**
 * The HTTP API's answers, browser-safe: one zod schema per response. The server's views return
 * these types, `/api/openapi.json` is generated from these schemas, and the dashboard imports the
 * inferred types, so a shape is written down once.
 */
import { z } from 'zod';
import { JOB_STATES } from '../queue/jobQueue.ts';
import { AGENT_KINDS, EPISODE_OUTCOMES } from '../storage/types.ts';

const int = z.number().int();
const timestamp = int.describe('milliseconds since the Unix epoch');
/** Stored settings and metadata: free-form JSON objects. */
const jsonObject = z.record(z.string(), z.unknown());
const interval = z.tuple([z.number(), z.number()]);

export const agentKind = z.enum(AGENT_KINDS);
export const episodeOutcome = z.enum(EPISODE_OUTCOMES);
export const jobState = z.enum(JOB_STATES);
export const matchOutcome = z.enum(['a', 'b', 'draw']);

export const baselines = z.strictObject({
  random: z.number().describe('mean score of the random agent: normalised 0'),
  scripted: z.number().describe('mean score of the scripted agent: normalised 1'),
});

export const game = z.strictObject({
  id: z.string(),
  title: z.string(),
  romSha1: z.string(),
  baselines: baselines.nullable(),
  actions: z.array(z.string()).nullable(),
  players: int,
  licence: z.string().nullable(),
});

/** A version's statistics; `ci95` is the 95% Student t interval [low, high], null below 2 episodes. */
export const stats = z.strictObject({
  episodes: int,
  mean: z.number(),
  ci95: interval.nullable(),
  median: z.number(),
  std: z.number().nullable(),
  min: z.number(),
  max: z.number(),
  failures: int.describe('episodes whose outcome was not OK'),
});

export const leaderboardEntry = z.strictObject({
  rank: int.describe(
    'Rank (UB): 1 + number of entries whose 95% lower bound beats this upper bound',
  ),
  agentId: int,
  agentName: z.string(),
  versionId: int,
  version: int,
  owner: z.string(),
  kind: agentKind,
  ...stats.shape,
  normalisedScore: z
    .number()
    .nullable()
    .describe('(mean - random) / (scripted - random), from the game baselines'),
});

export const crossGameCell = z.strictObject({
  versionId: int,
  episodes: int,
  mean: z.number(),
  normalisedMean: z.number().nullable(),
});

export const crossGameEntry = z.strictObject({
  owner: z.string(),
  agentName: z.string(),
  games: z.record(z.string(), crossGameCell).describe('keyed by game id'),
  meanNormalisedScore: z.number().nullable(),
  medianNormalisedScore: z.number().nullable(),
});

export const owner = z.strictObject({ id: int, name: z.string(), createdAt: timestamp });

export const agent = z.strictObject({
  id: int,
  ownerId: int,
  gameId: z.string(),
  name: z.string(),
  kind: agentKind,
  createdAt: timestamp,
});

export const versionSummary = z.strictObject({
  id: int,
  agentId: int,
  version: int.describe('1, 2, 3, … per agent'),
  metadata: jsonObject,
  checksum: z.string().nullable(),
  createdAt: timestamp,
});

export const episode = z.strictObject({
  id: int,
  versionId: int,
  gameId: z.string(),
  score: z.number(),
  frames: int,
  outcome: episodeOutcome,
  reason: z.string().nullable(),
  jobId: int.nullable(),
  seed: int.nullable().describe('null until the evaluation has ended'),
  replayId: int.nullable().describe('null until the evaluation has ended'),
  createdAt: timestamp,
});

const jobCounts = z.strictObject(
  Object.fromEntries(JOB_STATES.map((s) => [s, int])) as Record<
    (typeof JOB_STATES)[number],
    typeof int
  >,
);

export const job = z.strictObject({
  id: z.string(),
  state: jobState,
  versionId: int.nullable(),
  attempts: int,
  maxAttempts: int,
  lastError: z.string().nullable(),
  result: z.unknown().describe('what the evaluation reported, once completed'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** Who played one side of a match. */
export const matchPlayer = z.strictObject({
  versionId: int,
  version: int.nullable(),
  agentId: int.nullable(),
  agentName: z.string().nullable(),
  owner: z.string().nullable(),
  kind: agentKind.nullable(),
  computerLevel: z
    .string()
    .nullable()
    .describe("set for the game's own computer, rated as a reference player at this level"),
});

export const match = z.strictObject({
  id: int,
  gameId: z.string(),
  playerA: int.describe('version on controller 1 (left)'),
  playerB: int.describe('version on controller 2 (right, sees the court mirrored)'),
  nameA: z.string().nullable(),
  nameB: z.string().nullable(),
  players: z.tuple([matchPlayer, matchPlayer]).describe('controller 1 and controller 2'),
  scoreA: z.number(),
  scoreB: z.number(),
  outcome: matchOutcome,
  seed: int,
  replayId: int.nullable(),
  replayUrl: z.string().nullable(),
  createdAt: timestamp,
});

export const matchDetails = z.strictObject({
  ...match.shape,
  frames: int.nullable(),
  truncated: z.boolean().nullable().describe('ended by the frame cap (the points decide)'),
  forfeit: z
    .strictObject({
      side: z.union([z.literal(1), z.literal(2)]),
      code: z.string(),
      reason: z.string(),
    })
    .nullable(),
  leg: int.nullable(),
  gameSettings: z.record(z.string(), z.string()).nullable(),
});

/** A rating (Bradley–Terry, Elo scale) with its bootstrap 95% interval and the player's record. */
export const rating = z.strictObject({
  rank: int.describe('Rank (UB) on the 95% intervals'),
  ...matchPlayer.shape,
  rating: z.number(),
  lower: z.number(),
  upper: z.number(),
  ci95: interval,
  matches: int,
  wins: int,
  losses: int,
  draws: int,
});

const trainingEvaluation = z.strictObject({
  step: int,
  mean: z.number(),
  ci95: interval.nullable(),
  episodes: int.nullable(),
});

// Responses, one per route (named after what they answer).

export const healthResponse = z.strictObject({
  status: z.literal('ok'),
  workers: int,
  jobs: jobCounts,
  conditions: z.strictObject({
    episodes: int,
    stickyActionProbability: z.number(),
    noopMax: int,
    maxEpisodeFrames: int,
    modelEpsilon: z.number(),
  }),
});

export const gamesResponse = z.strictObject({ games: z.array(game) });
export const gameResponse = z.strictObject({ game });

export const crossGameResponse = z.strictObject({
  games: z.array(z.string()),
  rows: z.array(crossGameEntry),
});

export const leaderboardResponse = z.strictObject({
  game: z.string(),
  baselines: baselines.nullable(),
  rows: z.array(leaderboardEntry),
});

export const jobsResponse = z.strictObject({ counts: jobCounts, jobs: z.array(job) });
export const jobResponse = z.strictObject({ job });

export const registrationResponse = z.strictObject({
  owner,
  token: z.string().describe('shown once: send it as "Authorization: Bearer <token>"'),
  note: z.string(),
});

export const agentsResponse = z.strictObject({ agents: z.array(agent) });

export const agentDetailsResponse = z.strictObject({
  agent,
  owner: z.strictObject({ id: int, name: z.string() }),
  versions: z.array(z.strictObject({ ...versionSummary.shape, stats: stats.nullable() })),
});

export const uploadResponse = z.strictObject({
  agent,
  version: z.strictObject({ id: int, version: int, checksum: z.string().nullable() }),
  job: z.strictObject({ id: z.string(), state: jobState }),
});

export const versionDeletionResponse = z.strictObject({
  deleted: z.strictObject({ agentId: int, version: int, versionId: int }),
  agentRemoved: z.boolean().describe("it was the agent's last version, so the agent went too"),
});

export const versionDetailsResponse = z.strictObject({
  version: versionSummary,
  agent: agent.nullable(),
  stats: stats.nullable(),
  evaluation: z.strictObject({ episodes: int, recorded: int, ended: z.boolean() }),
});

export const trainingLogResponse = z.strictObject({
  versionId: int,
  train: z
    .array(z.strictObject({ step: int, meanReturn: z.number(), epsilon: z.number().nullable() }))
    .describe('training return, mean of the last 100 episodes, by agent step'),
  episodes: z.array(z.strictObject({ step: int, return: z.number() })),
  evaluations: z.array(trainingEvaluation).describe('greedy evaluations during training'),
  averageEvaluations: z
    .array(trainingEvaluation)
    .describe("the same evaluations of the run's weight average; empty without one"),
  best: z
    .strictObject({ step: int, mean: z.number() })
    .nullable()
    .describe('the evaluation of the agent the run kept as its best'),
  lines: int,
  invalidLines: int,
  thinned: z.boolean(),
});

export const episodesResponse = z.strictObject({
  published: z.boolean().describe("the version's evaluation has ended: seeds and replays shown"),
  episodes: z.array(episode),
});

export const episodeReplayResponse = z.strictObject({
  replay: z.strictObject({
    id: int,
    episodeId: int,
    score: z.number(),
    romSha1: z.string(),
    seed: int,
    settings: jsonObject,
    frames: int,
    actions: z
      .array(int)
      .describe('one controller byte per emulator frame (bit per button, jsnes order)'),
  }),
});

export const remoteEpisodesResponse = z.strictObject({
  episodes: z.array(
    z.strictObject({
      id: int,
      agentId: int,
      agentName: z.string(),
      gameId: z.string(),
      versionId: int,
      version: int,
      score: z.number(),
      frames: int,
      outcome: episodeOutcome,
      reason: z.string().nullable(),
      createdAt: timestamp,
    }),
  ),
});

export const ratingsResponse = z.strictObject({
  game: z.string(),
  method: z.string(),
  final: z
    .boolean()
    .describe('computed with 1,000 bootstrap resamples over every match so far (else 100)'),
  resamples: int,
  matches: int,
  anchor: z
    .strictObject({ ...matchPlayer.shape, rating: z.number() })
    .nullable()
    .describe('the player whose rating is fixed'),
  computedAt: timestamp.nullable(),
  ratings: z.array(rating),
});

export const matchesResponse = z.strictObject({
  matches: z.array(match),
  nextBeforeId: int.nullable().describe('pass as beforeId for the next page; null on the last'),
});

export const matchResponse = z.strictObject({ match: matchDetails });

export const matchReplayResponse = z.strictObject({
  replay: z.strictObject({
    id: int,
    romSha1: z.string(),
    seed: int,
    settings: jsonObject,
    frames: int,
    controller1: z.array(int),
    controller2: z.array(int),
  }),
});

export const watchResponse = z.strictObject({
  roomId: z.string().describe('join it on the live stream'),
});

/** The generated document itself: only its frame is checked. */
export const openApiResponse = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), description: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

export const docsPageResponse = z.string().describe('an HTML page');

export type Baselines = z.infer<typeof baselines>;
export type Game = z.infer<typeof game>;
export type AgentKind = z.infer<typeof agentKind>;
export type Stats = z.infer<typeof stats>;
export type LeaderboardEntry = z.infer<typeof leaderboardEntry>;
export type CrossGameCell = z.infer<typeof crossGameCell>;
export type CrossGameEntry = z.infer<typeof crossGameEntry>;
export type Agent = z.infer<typeof agent>;
export type VersionSummary = z.infer<typeof versionSummary>;
export type EpisodeOutcome = z.infer<typeof episodeOutcome>;
export type Episode = z.infer<typeof episode>;
export type JobState = z.infer<typeof jobState>;
export type Job = z.infer<typeof job>;
export type MatchPlayer = z.infer<typeof matchPlayer>;
export type MatchOutcome = z.infer<typeof matchOutcome>;
export type Match = z.infer<typeof match>;
export type MatchDetails = z.infer<typeof matchDetails>;
export type Rating = z.infer<typeof rating>;
export type TrainingEvaluation = z.infer<typeof trainingEvaluation>;

export type HealthResponse = z.infer<typeof healthResponse>;
export type GamesResponse = z.infer<typeof gamesResponse>;
export type GameResponse = z.infer<typeof gameResponse>;
export type CrossGameResponse = z.infer<typeof crossGameResponse>;
export type LeaderboardResponse = z.infer<typeof leaderboardResponse>;
export type JobsResponse = z.infer<typeof jobsResponse>;
export type JobResponse = z.infer<typeof jobResponse>;
export type RegistrationResponse = z.infer<typeof registrationResponse>;
export type AgentsResponse = z.infer<typeof agentsResponse>;
export type AgentDetailsResponse = z.infer<typeof agentDetailsResponse>;
export type UploadResponse = z.infer<typeof uploadResponse>;
export type VersionDeletionResponse = z.infer<typeof versionDeletionResponse>;
export type VersionDetailsResponse = z.infer<typeof versionDetailsResponse>;
export type TrainingLogResponse = z.infer<typeof trainingLogResponse>;
export type EpisodesResponse = z.infer<typeof episodesResponse>;
export type EpisodeReplayResponse = z.infer<typeof episodeReplayResponse>;
export type RemoteEpisodesResponse = z.infer<typeof remoteEpisodesResponse>;
export type RatingsResponse = z.infer<typeof ratingsResponse>;
export type MatchesResponse = z.infer<typeof matchesResponse>;
export type MatchResponse = z.infer<typeof matchResponse>;
export type MatchReplayResponse = z.infer<typeof matchReplayResponse>;
export type WatchResponse = z.infer<typeof watchResponse>;
