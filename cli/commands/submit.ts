/**
 * `arena submit DIR --name NAME`: uploads an agent folder to an arena server as multipart
 * "files" parts (see `POST /api/agents`). The token comes from `--token` or `$ARENA_TOKEN`, the
 * server from `--server` or `$ARENA_SERVER` (default http://127.0.0.1:8080).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../emulators/errors.ts';

interface SubmitOptions {
  name: string;
  game?: string;
  server?: string;
  token?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('submit')
    .description('upload a trained agent folder to an arena server for evaluation')
    .argument('<dir>', 'the agent folder (agent.json, model.json, weight files)')
    .requiredOption(
      '--name <name>',
      "the agent's name on the leaderboard (same name = new version)",
    )
    .option('--game <id>', "the game (default: agent.json's game)")
    .option('--server <url>', 'server URL (default $ARENA_SERVER or http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (default $ARENA_TOKEN)')
    .option('--json', "print the server's answer as JSON")
    .action(async (dir: string, options: SubmitOptions) => {
      await submit(dir, options);
    });
}

export async function submit(dir: string, options: SubmitOptions): Promise<unknown> {
  const token = options.token ?? process.env.ARENA_TOKEN;
  if (!token)
    throw new UserError(
      'no API token: pass --token or set ARENA_TOKEN (register with POST /api/owners)',
      'NO_TOKEN',
    );
  const server = (options.server ?? process.env.ARENA_SERVER ?? 'http://127.0.0.1:8080').replace(
    /\/+$/,
    '',
  );
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    throw new UserError(`${dir}: folder not found`, 'AGENT_INVALID');
  }
  const form = new FormData();
  form.set('name', options.name);
  if (options.game) form.set('game', options.game);
  for (const name of names) {
    const path = join(dir, name);
    if (!(await stat(path)).isFile())
      throw new UserError(`${path}: agent folders hold plain files only`, 'AGENT_INVALID');
    form.append('files', new Blob([await readFile(path)]), basename(name));
  }
  let response: Response;
  try {
    response = await fetch(`${server}/api/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
  } catch (error) {
    throw new UserError(`cannot reach ${server}: ${(error as Error).message}`, 'UNREACHABLE');
  }
  const body = (await response.json().catch(() => null)) as {
    error?: { code: string; message: string };
    agent?: { id: number; name: string; gameId: string };
    version?: { id: number; version: number };
    job?: { id: string };
  } | null;
  if (!response.ok) {
    const message = body?.error
      ? `${body.error.message} (${body.error.code})`
      : `HTTP ${response.status}`;
    throw new UserError(
      `the server rejected the agent: ${message}`,
      body?.error?.code ?? 'REJECTED',
    );
  }
  if (options.json) console.log(JSON.stringify(body));
  else {
    console.log(
      `submitted ${body?.agent?.name} v${body?.version?.version} for ${body?.agent?.gameId} (version ${body?.version?.id}, evaluation job ${body?.job?.id})\n` +
        `progress: ${server}/api/versions/${body?.version?.id}   leaderboard: ${server}/api/leaderboards/${body?.agent?.gameId}`,
    );
  }
  return body;
}
