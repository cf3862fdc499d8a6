/**
 * Version 2: Duel rating tables say how they were made. Each rating row keeps its player's
 * record (wins, losses, draws), and one row per game records the anchor, the bootstrap resamples
 * behind the intervals, the matches the fit covered and whether the table is final (1,000
 * resamples over every match so far).
 */
export const ratingTablesSchema = `
ALTER TABLE ratings ADD COLUMN wins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ratings ADD COLUMN losses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ratings ADD COLUMN draws INTEGER NOT NULL DEFAULT 0;

CREATE TABLE rating_tables (
  game_id TEXT PRIMARY KEY REFERENCES games(id),
  anchor_version_id INTEGER REFERENCES agent_versions(id) ON DELETE SET NULL,
  anchor_rating REAL NOT NULL,
  resamples INTEGER NOT NULL CHECK (resamples >= 0),
  matches INTEGER NOT NULL CHECK (matches >= 0),
  final INTEGER NOT NULL CHECK (final IN (0, 1)),
  computed_at INTEGER NOT NULL
);
`;
