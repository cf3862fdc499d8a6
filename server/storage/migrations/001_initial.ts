/** Version 1: the whole initial schema. Later changes go in new numbered files, never edits here. */
export const initialSchema = `
CREATE TABLE owners (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

-- Tokens are 'aa_<selector>_<secret>': the selector finds the row, and only SHA-256(secret) is
-- kept, compared in constant time. A database leak does not leak usable tokens.
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
  selector TEXT NOT NULL UNIQUE,
  secret_sha256 BLOB NOT NULL CHECK (length(secret_sha256) = 32),
  label TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX api_tokens_owner ON api_tokens(owner_id);

CREATE TABLE games (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  rom_sha1 TEXT NOT NULL CHECK (length(rom_sha1) = 40),
  baseline_random REAL,
  baseline_scripted REAL
);

CREATE TABLE agents (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES owners(id),
  game_id TEXT NOT NULL REFERENCES games(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('builtin', 'uploaded', 'remote')),
  created_at INTEGER NOT NULL,
  UNIQUE (game_id, name)
);
CREATE INDEX agents_owner ON agents(owner_id);

CREATE TABLE agent_versions (
  id INTEGER PRIMARY KEY,
  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  model_paths TEXT NOT NULL CHECK (json_valid(model_paths)),
  metadata TEXT NOT NULL CHECK (json_valid(metadata)),
  checksum TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (agent_id, version)
);

CREATE TABLE eval_jobs (
  id INTEGER PRIMARY KEY,
  queue TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed')),
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  dedupe_key TEXT,
  priority INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
  run_at INTEGER NOT NULL,
  lease_token TEXT,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  last_error TEXT,
  result TEXT CHECK (result IS NULL OR json_valid(result)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- Dedupe holds only while a job is live, like BullMQ's deduplication: a finished job's key can
-- be enqueued again.
CREATE UNIQUE INDEX eval_jobs_dedupe ON eval_jobs(queue, dedupe_key)
  WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running');
CREATE INDEX eval_jobs_claim ON eval_jobs(queue, state, priority DESC, run_at, id);
CREATE INDEX eval_jobs_lease ON eval_jobs(queue, state, lease_expires_at);

CREATE TABLE replays (
  id INTEGER PRIMARY KEY,
  rom_sha1 TEXT NOT NULL CHECK (length(rom_sha1) = 40),
  seed INTEGER NOT NULL,
  settings TEXT NOT NULL CHECK (json_valid(settings)),
  -- 'u8-deflate': one controller byte per frame, raw-deflated (fflate). Inputs repeat for many
  -- frames, so this is typically 20-50x smaller than the raw bytes.
  encoding TEXT NOT NULL,
  actions BLOB NOT NULL,
  frames INTEGER NOT NULL CHECK (frames >= 0),
  created_at INTEGER NOT NULL
);

CREATE TABLE matches (
  id INTEGER PRIMARY KEY,
  game_id TEXT NOT NULL REFERENCES games(id),
  player_a INTEGER NOT NULL REFERENCES agent_versions(id),
  player_b INTEGER NOT NULL REFERENCES agent_versions(id),
  score_a REAL NOT NULL,
  score_b REAL NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('a', 'b', 'draw')),
  seed INTEGER NOT NULL,
  job_id INTEGER REFERENCES eval_jobs(id) ON DELETE SET NULL,
  replay_id INTEGER REFERENCES replays(id),
  created_at INTEGER NOT NULL,
  CHECK (player_a <> player_b)
);
-- A retried job re-records the same (players, seed): the key makes recording idempotent.
CREATE UNIQUE INDEX matches_job_key ON matches(job_id, player_a, player_b, seed)
  WHERE job_id IS NOT NULL;
CREATE INDEX matches_game ON matches(game_id, id);
CREATE INDEX matches_player_a ON matches(player_a, id);
CREATE INDEX matches_player_b ON matches(player_b, id);

CREATE TABLE episodes (
  id INTEGER PRIMARY KEY,
  version_id INTEGER NOT NULL REFERENCES agent_versions(id),
  game_id TEXT NOT NULL REFERENCES games(id),
  score REAL NOT NULL,
  frames INTEGER NOT NULL CHECK (frames >= 0),
  seed INTEGER NOT NULL,
  outcome TEXT NOT NULL
    CHECK (outcome IN ('OK', 'TIMEOUT', 'DISCONNECT', 'INVALID_ACTION', 'PROTOCOL_ERROR')),
  reason TEXT,
  job_id INTEGER REFERENCES eval_jobs(id) ON DELETE SET NULL,
  match_id INTEGER REFERENCES matches(id),
  replay_id INTEGER REFERENCES replays(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX episodes_version ON episodes(version_id, id);
CREATE INDEX episodes_match ON episodes(match_id) WHERE match_id IS NOT NULL;
-- Idempotency key for retried jobs, as for matches: (job, version, seed) is recorded once.
CREATE UNIQUE INDEX episodes_job_key ON episodes(job_id, version_id, seed) WHERE job_id IS NOT NULL;

-- Per-version running aggregates, updated in the episode's own transaction so leaderboards read
-- one small row per version. Welford's mean and m2 (sum of squared deviations) instead of sum
-- and sum of squares: the latter cancel catastrophically for large scores with small spread.
CREATE TABLE version_stats (
  version_id INTEGER PRIMARY KEY REFERENCES agent_versions(id) ON DELETE CASCADE,
  game_id TEXT NOT NULL REFERENCES games(id),
  n INTEGER NOT NULL,
  mean_score REAL NOT NULL,
  m2 REAL NOT NULL,
  min_score REAL NOT NULL,
  max_score REAL NOT NULL,
  median_score REAL NOT NULL,
  failures INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX version_stats_game ON version_stats(game_id);

-- Score histogram per version: the small sorted store the exact median is read from. NES scores
-- are coarse integers, so a version has far fewer distinct scores than episodes.
CREATE TABLE score_counts (
  version_id INTEGER NOT NULL REFERENCES agent_versions(id) ON DELETE CASCADE,
  score REAL NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (version_id, score)
) WITHOUT ROWID;

CREATE TABLE ratings (
  game_id TEXT NOT NULL REFERENCES games(id),
  version_id INTEGER NOT NULL REFERENCES agent_versions(id) ON DELETE CASCADE,
  rating REAL NOT NULL,
  lower REAL NOT NULL,
  upper REAL NOT NULL,
  matches INTEGER NOT NULL,
  computed_at INTEGER NOT NULL,
  PRIMARY KEY (game_id, version_id)
);
`;
