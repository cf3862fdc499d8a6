/**
 * Every REST call the dashboard makes, typed. The shapes mirror `server/api/views.ts` (the client
 * may import only `server/protocol/`, so they are restated here); when a route changes, this is
 * the one file to adapt. Errors come back as `ApiRequestError` carrying the server's
 * `{ error: { code, message } }`.
 */

export interface Baselines {
  random: number;
  scripted: number;
}

export interface Game {
  id: string;
  title: string;
  romSha1: string;
  baselines: Baselines | null;
  actions: string[] | null;
  players: number;
  licence: string | null;
}

export type AgentKind = 'builtin' | 'uploaded' | 'remote';

/** A version's statistics (`statsView`); `ci95` is the interval [low, high], null below 2 episodes. */
export interface Stats {
  episodes: number;
  mean: number;
  ci95: [number, number] | null;
  median: number;
  std: number | null;
  min: number;
  max: number;
  failures: number;
}

/** One row of a game's leaderboard (`leaderboardView`). */
export interface LeaderboardEntry extends Stats {
  /** Rank (UB): 1 + entries whose 95% lower bound beats this one's upper bound. */
  rank: number;
  agentId: number;
  agentName: string;
  versionId: number;
  version: number;
  owner: string;
  kind: AgentKind;
  normalisedScore: number | null;
}

export interface Leaderboard {
  game: string;
  baselines: Baselines | null;
  rows: LeaderboardEntry[];
}

export interface CrossGameCell {
  versionId: number;
  episodes: number;
  mean: number;
  normalisedMean: number | null;
}

export interface CrossGameEntry {
  owner: string;
  agentName: string;
  games: Record<string, CrossGameCell>;
  meanNormalisedScore: number | null;
  medianNormalisedScore: number | null;
}

export interface CrossGameTable {
  games: string[];
  rows: CrossGameEntry[];
}

export interface Agent {
  id: number;
  ownerId: number;
  gameId: string;
  name: string;
  kind: AgentKind;
  createdAt: number;
}

export interface VersionSummary {
  id: number;
  agentId: number;
  version: number;
  metadata: Record<string, unknown>;
  checksum: string | null;
  createdAt: number;
}

export interface AgentDetails {
  agent: Agent;
  owner: { id: number; name: string };
  versions: Array<VersionSummary & { stats: Stats | null }>;
}

export interface VersionDetails {
  version: VersionSummary;
  agent: Agent | null;
  stats: Stats | null;
  evaluation: { episodes: number; recorded: number; ended: boolean };
}

export type EpisodeOutcome = 'OK' | 'TIMEOUT' | 'DISCONNECT' | 'INVALID_ACTION' | 'PROTOCOL_ERROR';

export interface Episode {
  id: number;
  versionId: number;
  gameId: string;
  score: number;
  frames: number;
  outcome: EpisodeOutcome;
  reason: string | null;
  jobId: number | null;
  /** Null until the evaluation has ended. */
  seed: number | null;
  replayId: number | null;
  createdAt: number;
}

export type JobState = 'queued' | 'running' | 'completed' | 'failed';

export interface Job {
  id: string;
  state: JobState;
  versionId: number | null;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Health {
  status: string;
  workers: number;
  jobs: Record<JobState, number>;
}

/** Who played one side of a match (`playerView`). */
export interface MatchPlayer {
  versionId: number;
  version: number | null;
  agentId: number | null;
  agentName: string | null;
  owner: string | null;
  kind: AgentKind | null;
  /** Set for the game's own computer, rated as a reference player at this level. */
  computerLevel: string | null;
}

/** A Duel rating (Bradley–Terry, Elo scale) with its bootstrap 95% interval. */
export interface DuelRating extends Partial<MatchPlayer> {
  /** Rank (UB) on the 95% intervals. */
  rank: number;
  versionId: number;
  rating: number;
  lower: number;
  upper: number;
  matches: number;
  wins?: number;
  losses?: number;
  draws?: number;
}

/** A game's Duel rating table and how it was computed. */
export interface DuelRatings {
  game: string;
  method: string;
  /** Computed with 1,000 bootstrap resamples over every match so far (else 100, refreshing). */
  final: boolean;
  resamples: number;
  matches: number;
  anchor: (MatchPlayer & { rating: number }) | null;
  computedAt: number | null;
  ratings: DuelRating[];
}

export type MatchOutcome = 'a' | 'b' | 'draw';

export interface Match {
  id: number;
  gameId: string;
  playerA: number;
  playerB: number;
  /** Display names, when the server joins them in; else the UI shows version ids. */
  nameA?: string | null;
  nameB?: string | null;
  scoreA: number;
  scoreB: number;
  outcome: MatchOutcome;
  createdAt: number;
  /** Controller 1 (left) and controller 2 (right). */
  players?: [MatchPlayer, MatchPlayer];
  seed?: number;
  replayUrl?: string | null;
}

export interface MatchDetails extends Match {
  players: [MatchPlayer, MatchPlayer];
  frames: number | null;
  /** Ended by the frame cap (the points decide) rather than at 21. */
  truncated: boolean | null;
  forfeit: { side: 1 | 2; code: string; reason: string } | null;
  gameSettings: Record<string, string> | null;
}

export interface Registration {
  owner: { id: number; name: string };
  token: string;
}

export interface UploadResult {
  agent: Agent;
  version: { id: number; version: number; checksum: string | null };
  job: { id: string; state: JobState };
}

/** An error answer from the API (or the network), in the server's own code and words. */
export class ApiRequestError extends Error {
  override name = 'ApiRequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const BASE = '/api';

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${BASE}${path}`, init);
  } catch {
    throw new ApiRequestError(0, 'NETWORK', 'the arena server cannot be reached');
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page, for example; reported below by status.
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiRequestError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `the server answered ${response.status} ${response.statusText}`,
    );
  }
  return body as T;
}

let documented: Promise<Set<string>> | null = null;

/** The API's documented paths (from its OpenAPI document), fetched once per page load. */
function documentedPaths(): Promise<Set<string>> {
  documented ??= request<{ paths?: Record<string, unknown> }>('/openapi.json').then(
    (doc) => new Set(Object.keys(doc.paths ?? {})),
    () => new Set<string>(),
  );
  return documented;
}

/**
 * For routes that not every server has yet (Duel, training logs): null when the OpenAPI document
 * does not list `documentedPath` (so the browser logs no 404s) or when the route answers 404.
 */
async function optional<T>(documentedPath: string, path: string): Promise<T | null> {
  if (!(await documentedPaths()).has(documentedPath)) return null;
  try {
    return await request<T>(path);
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 404) return null;
    throw error;
  }
}

export const getHealth = () => request<Health>('/health');

export const listGames = async (): Promise<Game[]> =>
  (await request<{ games: Game[] }>('/games')).games;

export const getLeaderboard = (gameId: string) =>
  request<Leaderboard>(`/leaderboards/${encodeURIComponent(gameId)}`);

export const getCrossGameTable = () => request<CrossGameTable>('/leaderboards');

export const listAgents = async (game?: string): Promise<Agent[]> =>
  (
    await request<{ agents: Agent[] }>(
      game ? `/agents?game=${encodeURIComponent(game)}` : '/agents',
    )
  ).agents;

export const getAgent = (id: number) => request<AgentDetails>(`/agents/${id}`);

export const getVersion = (id: number) => request<VersionDetails>(`/versions/${id}`);

export const listEpisodes = async (versionId: number): Promise<Episode[]> =>
  (await request<{ episodes: Episode[] }>(`/versions/${versionId}/episodes?limit=1000`)).episodes;

export const getJob = async (id: string): Promise<Job> =>
  (await request<{ job: Job }>(`/jobs/${encodeURIComponent(id)}`)).job;

/** Duel ratings of a game; null while the server has no Duel routes. */
export const getDuelRatings = async (gameId: string): Promise<DuelRating[] | null> =>
  (
    await optional<{ ratings: DuelRating[] }>(
      '/duel/ratings',
      `/duel/ratings?game=${encodeURIComponent(gameId)}`,
    )
  )?.ratings ?? null;

/** A game's whole Duel table (default game: the first two-player one); null without Duel routes. */
export const getDuelTable = (gameId?: string): Promise<DuelRatings | null> =>
  optional<DuelRatings>(
    '/duel/ratings',
    gameId ? `/duel/ratings?game=${encodeURIComponent(gameId)}` : '/duel/ratings',
  );

export const getMatch = async (id: number): Promise<MatchDetails> =>
  (await request<{ match: MatchDetails }>(`/matches/${id}`)).match;

/** Starts (or joins) a live room playing a recorded match back; returns its room id. */
export const watchMatch = (id: number, speed: 1 | 2 | 4 = 1) =>
  request<{ roomId: string }>(`/matches/${id}/watch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ speed }),
  });

/** Matches of a game or of one agent, newest first; null while the server has no Duel routes. */
export const listMatches = async (filter: {
  game?: string;
  agentId?: number;
  versionId?: number;
  limit?: number;
}): Promise<Match[] | null> => {
  const query = new URLSearchParams();
  if (filter.game) query.set('game', filter.game);
  if (filter.agentId !== undefined) query.set('agent', String(filter.agentId));
  if (filter.versionId !== undefined) query.set('version', String(filter.versionId));
  if (filter.limit !== undefined) query.set('limit', String(filter.limit));
  return (await optional<{ matches: Match[] }>('/matches', `/matches?${query}`))?.matches ?? null;
};

export interface TrainingEvaluation {
  step: number;
  mean: number;
  ci95: [number, number] | null;
  episodes: number | null;
}

/** A version's training log as the server checked and thinned it (`server/api/trainingLog.ts`). */
export interface TrainingLog {
  versionId: number;
  /** Training return, mean of the last 100 episodes, by agent step. */
  train: { step: number; meanReturn: number; epsilon: number | null }[];
  /** Single training episodes' returns. */
  episodes: { step: number; return: number }[];
  /** Greedy evaluations during training, with their 95% intervals. */
  evaluations: TrainingEvaluation[];
  /** The same evaluations of the run's weight average (`--average-decay`); empty without one. */
  averageEvaluations: TrainingEvaluation[];
  /** The evaluation of the agent the run kept as its best (`<run>/best`), if it kept one. */
  best: { step: number; mean: number } | null;
  lines: number;
  invalidLines: number;
  thinned: boolean;
}

/** A version's training log; null when it came without one (or the server has no such route). */
export const getTrainingLog = (versionId: number): Promise<TrainingLog | null> =>
  optional<TrainingLog>('/versions/{id}/training-log', `/versions/${versionId}/training-log`);

export const registerOwner = (name: string) =>
  request<Registration>('/owners', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });

export interface UploadRequest {
  token: string;
  /** The agent's leaderboard name. */
  name: string;
  /** Defaults on the server to agent.json's `game`. */
  game?: string;
  /** Either the folder's files (sent flat by their base names) or one .zip, .tar or .tar.gz. */
  files?: File[];
  archive?: File;
}

export function uploadAgent(upload: UploadRequest): Promise<UploadResult> {
  const form = new FormData();
  form.set('name', upload.name);
  if (upload.game) form.set('game', upload.game);
  if (upload.archive) form.set('archive', upload.archive, upload.archive.name);
  // The server wants plain names; a picked folder's files carry `folder/file` relative paths.
  for (const file of upload.files ?? []) form.append('files', file, file.name);
  return request<UploadResult>('/agents', {
    method: 'POST',
    headers: { authorization: `Bearer ${upload.token}` },
    body: form,
  });
}
