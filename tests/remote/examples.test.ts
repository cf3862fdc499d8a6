/**
 * The two example clients in `examples/` play a whole Brick episode (to game over, under the
 * arena's full conditions) against a real server, each as its own process: the TypeScript one
 * over socket.io, the Python one (standard library only) over plain WebSocket.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, register, startTestServer, type TestServer } from '../server/helpers.ts';

// A whole episode is some 350 agent steps, seconds on an idle machine; a crowded one is given time.
const WHOLE_EPISODE_TIMEOUT_MS = 600_000;

let server: TestServer;
let token: string;

beforeAll(async () => {
  // One episode per version, so its seed and replay are published at once; no frame cap short of
  // the arena's own, so the episode runs to game over.
  server = await startTestServer({ conditions: { episodes: 1, maxEpisodeFrames: 108_000 } });
  token = await register(server, 'examples');
});

afterAll(async () => {
  await server?.dispose();
});

function run(command: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function checkWholeEpisode(agentName: string, out: string): Promise<void> {
  expect(out).toMatch(/episode 0: OK, score \d+, \d+ frames/);
  expect(out).toMatch(/done: 1 episode/);
  const { body } = await api(server, '/remote/episodes', {
    headers: { authorization: `Bearer ${token}` },
  });
  const episode = body.episodes.find((e: { agentName: string }) => e.agentName === agentName);
  expect(episode).toMatchObject({ outcome: 'OK', reason: null });
  expect(out).toContain(`score ${episode.score}, ${episode.frames} frames`);
  const replay = await api(server, `/versions/${episode.versionId}/episodes/${episode.id}/replay`);
  // Ended by the game (game over), not by the frame cap.
  expect(replay.body.replay.settings.truncated).toBe(false);
}

describe('example remote agents', () => {
  it(
    'TypeScript (socket.io) plays a whole Brick episode',
    async () => {
      const { code, out } = await run(process.execPath, [
        'bin/run-ts.mjs',
        'examples/remote-agent-ts/agent.ts',
        '--server',
        server.url,
        '--token',
        token,
        '--agent',
        'ts-example',
      ]);
      expect(code, out).toBe(0);
      await checkWholeEpisode('ts-example', out);
    },
    WHOLE_EPISODE_TIMEOUT_MS,
  );

  it(
    'Python, standard library only (plain WebSocket), plays a whole Brick episode',
    async () => {
      const { code, out } = await run('python3', [
        '-I',
        'examples/remote-agent-python/agent.py',
        '--server',
        server.url,
        '--token',
        token,
        '--agent',
        'py-example',
      ]);
      expect(code, out).toBe(0);
      await checkWholeEpisode('py-example', out);
    },
    WHOLE_EPISODE_TIMEOUT_MS,
  );
});
