/**
 * Every REST call the dashboard makes, typed with the API's own response types
 * (`server/protocol/api.ts`, inferred from the zod schemas the server's answers are checked
 * against), so a shape is written down once. Errors come back as `ApiRequestError` carrying the
 * server's `{ error: { code, message } }`.
 */
import type {
  AgentDetailsResponse,
  AgentsResponse,
  CrossGameResponse,
  EpisodesResponse,
  Game,
  GamesResponse,
  HealthResponse,
  Job,
  JobResponse,
  LeaderboardResponse,
  Match,
  MatchDetails,
  MatchesResponse,
  MatchResponse,
  RatingsResponse,
  RegistrationResponse,
  TrainingLogResponse,
  UploadResponse,
  VersionDetailsResponse,
  WatchResponse,
} from '../../server/protocol/api.ts';

export type {
  CrossGameEntry,
  Episode,
  Game,
  Job,
  JobState,
  LeaderboardEntry,
  Match,
  MatchDetails,
  MatchPlayer,
  Rating,
  RatingsResponse,
  TrainingLogResponse,
  UploadResponse,
} from '../../server/protocol/api.ts';

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

export const getHealth = () => request<HealthResponse>('/health');

export const listGames = async (): Promise<Game[]> =>
  (await request<GamesResponse>('/games')).games;

export const getLeaderboard = (gameId: string) =>
  request<LeaderboardResponse>(`/leaderboards/${encodeURIComponent(gameId)}`);

export const getCrossGameTable = () => request<CrossGameResponse>('/leaderboards');

export const listAgents = async (game?: string) =>
  (await request<AgentsResponse>(game ? `/agents?game=${encodeURIComponent(game)}` : '/agents'))
    .agents;

export const getAgent = (id: number) => request<AgentDetailsResponse>(`/agents/${id}`);

export const getVersion = (id: number) => request<VersionDetailsResponse>(`/versions/${id}`);

export const listEpisodes = async (versionId: number) =>
  (await request<EpisodesResponse>(`/versions/${versionId}/episodes?limit=1000`)).episodes;

export const getJob = async (id: string): Promise<Job> =>
  (await request<JobResponse>(`/jobs/${encodeURIComponent(id)}`)).job;

/**
 * A game's head-to-head rating table; without a game, the server picks the first two-player
 * game (and answers NOT_FOUND when it has none).
 */
export const getRatings = (gameId?: string) =>
  request<RatingsResponse>(gameId ? `/ratings?game=${encodeURIComponent(gameId)}` : '/ratings');

export const getMatch = async (id: number): Promise<MatchDetails> =>
  (await request<MatchResponse>(`/matches/${id}`)).match;

/** Starts (or joins) a live room playing a recorded match back; returns its room id. */
export const watchMatch = (id: number, speed: 1 | 2 | 4 = 1) =>
  request<WatchResponse>(`/matches/${id}/watch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ speed }),
  });

/** Matches of a game or of one agent, newest first (one-player games have none). */
export const listMatches = async (filter: {
  game?: string;
  agentId?: number;
  versionId?: number;
  limit?: number;
}): Promise<Match[]> => {
  const query = new URLSearchParams();
  if (filter.game) query.set('game', filter.game);
  if (filter.agentId !== undefined) query.set('agent', String(filter.agentId));
  if (filter.versionId !== undefined) query.set('version', String(filter.versionId));
  if (filter.limit !== undefined) query.set('limit', String(filter.limit));
  return (await request<MatchesResponse>(`/matches?${query}`)).matches;
};

/** A version's training log as chart series; null when it came without one (204, no body). */
export const getTrainingLog = (versionId: number) =>
  request<TrainingLogResponse | null>(`/versions/${versionId}/training-log`);

export const registerOwner = (name: string) =>
  request<RegistrationResponse>('/owners', {
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

export function uploadAgent(upload: UploadRequest): Promise<UploadResponse> {
  const form = new FormData();
  form.set('name', upload.name);
  if (upload.game) form.set('game', upload.game);
  if (upload.archive) form.set('archive', upload.archive, upload.archive.name);
  // The server wants plain names; a picked folder's files carry `folder/file` relative paths.
  for (const file of upload.files ?? []) form.append('files', file, file.name);
  return request<UploadResponse>('/agents', {
    method: 'POST',
    headers: { authorization: `Bearer ${upload.token}` },
    body: form,
  });
}
