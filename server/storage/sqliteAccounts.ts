/** Owners, API tokens, games, agents and agent versions over SQLite. */
import {
  checkFinite,
  checkInt,
  checkJsonObject,
  checkSha1,
  checkText,
  invalid,
  notFound,
  type SqliteContext,
  translateConstraint,
} from './rows.ts';
import { jsonObjectSchema, parseStoredJson, stringListSchema } from './storedJson.ts';
import { generateToken, parseToken, secretMatches } from './tokens.ts';
import {
  AGENT_KINDS,
  type Agent,
  type AgentVersion,
  type Game,
  type IssuedToken,
  type NewAgent,
  type NewAgentVersion,
  type Owner,
} from './types.ts';

interface OwnerRow {
  id: number;
  name: string;
  created_at: number;
}

const ownerFromRow = (r: OwnerRow): Owner => ({ id: r.id, name: r.name, createdAt: r.created_at });

export function createOwner(ctx: SqliteContext, opts: { name: string }): Owner {
  const name = checkText('owner name', opts.name, 64);
  return translateConstraint(`owner ${name}`, () =>
    ownerFromRow(
      ctx
        .stmt('INSERT INTO owners (name, created_at) VALUES (?, ?) RETURNING *')
        .get(name, ctx.now()) as OwnerRow,
    ),
  );
}

export function getOwner(ctx: SqliteContext, id: number): Owner | null {
  const row = ctx.stmt('SELECT * FROM owners WHERE id = ?').get(id) as OwnerRow | undefined;
  return row ? ownerFromRow(row) : null;
}

export function issueToken(
  ctx: SqliteContext,
  opts: { ownerId: number; label?: string },
): IssuedToken {
  const label = opts.label === undefined ? null : checkText('token label', opts.label, 100);
  const { token, selector, secretSha256 } = generateToken();
  return translateConstraint(`token for owner ${opts.ownerId}`, () => {
    const row = ctx
      .stmt(
        `INSERT INTO api_tokens (owner_id, selector, secret_sha256, label, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(opts.ownerId, selector, secretSha256, label, ctx.now()) as { id: number };
    return { tokenId: row.id, token };
  });
}

export function authenticate(ctx: SqliteContext, token: string): Owner | null {
  const parsed = typeof token === 'string' ? parseToken(token) : null;
  if (!parsed) return null;
  const row = ctx
    .stmt(
      `SELECT o.id, o.name, o.created_at, t.secret_sha256
       FROM api_tokens t JOIN owners o ON o.id = t.owner_id
       WHERE t.selector = ? AND t.revoked_at IS NULL`,
    )
    .get(parsed.selector) as (OwnerRow & { secret_sha256: Buffer }) | undefined;
  if (!row || !secretMatches(parsed.secret, row.secret_sha256)) return null;
  return ownerFromRow(row);
}

export function revokeToken(ctx: SqliteContext, tokenId: number): boolean {
  const info = ctx
    .stmt('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
    .run(ctx.now(), tokenId);
  return info.changes === 1;
}

interface GameRow {
  id: string;
  title: string;
  rom_sha1: string;
  baseline_random: number | null;
  baseline_scripted: number | null;
}

export function gameFromRow(r: GameRow): Game {
  const baselines =
    r.baseline_random === null || r.baseline_scripted === null
      ? null
      : { random: r.baseline_random, scripted: r.baseline_scripted };
  return { id: r.id, title: r.title, romSha1: r.rom_sha1, baselines };
}

export function upsertGame(ctx: SqliteContext, game: Game): Game {
  const id = checkText('game id', game.id, 64);
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(id)) invalid('game id must be a lowercase slug');
  const title = checkText('game title', game.title);
  const romSha1 = checkSha1('romSha1', game.romSha1);
  const b = game.baselines;
  if (b) {
    checkFinite('baselines.random', b.random);
    checkFinite('baselines.scripted', b.scripted);
    if (b.random === b.scripted) invalid('baselines.random and baselines.scripted must differ');
  }
  const row = ctx
    .stmt(
      `INSERT INTO games (id, title, rom_sha1, baseline_random, baseline_scripted)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET title = excluded.title, rom_sha1 = excluded.rom_sha1,
         baseline_random = excluded.baseline_random, baseline_scripted = excluded.baseline_scripted
       RETURNING *`,
    )
    .get(id, title, romSha1, b?.random ?? null, b?.scripted ?? null) as GameRow;
  return gameFromRow(row);
}

export function getGame(ctx: SqliteContext, id: string): Game | null {
  const row = ctx.stmt('SELECT * FROM games WHERE id = ?').get(id) as GameRow | undefined;
  return row ? gameFromRow(row) : null;
}

export function listGames(ctx: SqliteContext): Game[] {
  return (ctx.stmt('SELECT * FROM games ORDER BY id').all() as GameRow[]).map(gameFromRow);
}

interface AgentRow {
  id: number;
  owner_id: number;
  game_id: string;
  name: string;
  kind: Agent['kind'];
  created_at: number;
}

const agentFromRow = (r: AgentRow): Agent => ({
  id: r.id,
  ownerId: r.owner_id,
  gameId: r.game_id,
  name: r.name,
  kind: r.kind,
  createdAt: r.created_at,
});

export function createAgent(ctx: SqliteContext, agent: NewAgent): Agent {
  const name = checkText('agent name', agent.name, 64);
  if (!AGENT_KINDS.includes(agent.kind))
    invalid(`agent kind must be one of ${AGENT_KINDS.join(', ')}`);
  return translateConstraint(`agent ${name}`, () =>
    agentFromRow(
      ctx
        .stmt(
          `INSERT INTO agents (owner_id, game_id, name, kind, created_at)
           VALUES (?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(agent.ownerId, agent.gameId, name, agent.kind, ctx.now()) as AgentRow,
    ),
  );
}

export function getAgent(ctx: SqliteContext, id: number): Agent | null {
  const row = ctx.stmt('SELECT * FROM agents WHERE id = ?').get(id) as AgentRow | undefined;
  return row ? agentFromRow(row) : null;
}

export function findAgent(
  ctx: SqliteContext,
  opts: { gameId: string; name: string },
): Agent | null {
  const row = ctx
    .stmt('SELECT * FROM agents WHERE game_id = ? AND name = ?')
    .get(opts.gameId, opts.name) as AgentRow | undefined;
  return row ? agentFromRow(row) : null;
}

export function listAgents(
  ctx: SqliteContext,
  opts: { gameId?: string; ownerId?: number } = {},
): Agent[] {
  const rows = ctx
    .stmt(
      `SELECT * FROM agents WHERE (@game IS NULL OR game_id = @game)
         AND (@owner IS NULL OR owner_id = @owner) ORDER BY game_id, name`,
    )
    .all({ game: opts.gameId ?? null, owner: opts.ownerId ?? null }) as AgentRow[];
  return rows.map(agentFromRow);
}

interface VersionRow {
  id: number;
  agent_id: number;
  version: number;
  model_paths: string;
  metadata: string;
  checksum: string | null;
  created_at: number;
}

export const versionFromRow = (r: VersionRow): AgentVersion => ({
  id: r.id,
  agentId: r.agent_id,
  version: r.version,
  modelPaths: parseStoredJson(r.model_paths, stringListSchema, 'agent_versions.model_paths'),
  metadata: parseStoredJson(r.metadata, jsonObjectSchema, 'agent_versions.metadata'),
  checksum: r.checksum,
  createdAt: r.created_at,
});

export function addAgentVersion(ctx: SqliteContext, v: NewAgentVersion): AgentVersion {
  checkInt('agentId', v.agentId, 1);
  const paths = v.modelPaths ?? [];
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p.length > 0)) {
    invalid('modelPaths must be an array of non-empty strings');
  }
  const metadata = checkJsonObject('metadata', v.metadata ?? {});
  const checksum = v.checksum == null ? null : checkText('checksum', v.checksum, 200);
  // The next version number is read and written in one IMMEDIATE transaction so that two
  // uploads cannot both claim it.
  return ctx.db
    .transaction(() => {
      if (!getAgent(ctx, v.agentId)) notFound(`agent ${v.agentId} does not exist`);
      const row = ctx
        .stmt(
          `INSERT INTO agent_versions (agent_id, version, model_paths, metadata, checksum, created_at)
           VALUES (?, (SELECT coalesce(max(version), 0) + 1 FROM agent_versions WHERE agent_id = ?),
                   ?, ?, ?, ?)
           RETURNING *`,
        )
        .get(
          v.agentId,
          v.agentId,
          JSON.stringify(paths),
          metadata,
          checksum,
          ctx.now(),
        ) as VersionRow;
      return versionFromRow(row);
    })
    .immediate();
}

export function getAgentVersion(ctx: SqliteContext, id: number): AgentVersion | null {
  const row = ctx.stmt('SELECT * FROM agent_versions WHERE id = ?').get(id) as
    | VersionRow
    | undefined;
  return row ? versionFromRow(row) : null;
}

export function listAgentVersions(ctx: SqliteContext, agentId: number): AgentVersion[] {
  const rows = ctx
    .stmt('SELECT * FROM agent_versions WHERE agent_id = ? ORDER BY version')
    .all(agentId) as VersionRow[];
  return rows.map(versionFromRow);
}
