/**
 * Hostile remote agents against a real server, all at once, while a well-behaved agent plays and
 * the API is polled: a flood, oversized messages (WebSocket and socket.io), a malformed WebSocket
 * frame, a binary frame, text that is not JSON, an unknown socket.io event, an invalid action, an
 * agent that never replies and one that disconnects mid-episode. Each loses only its own episode,
 * with the right outcome code and a reason its owner can read; the steady agent finishes every
 * episode OK and keeps playing while the silent attacker holds its observation, the API keeps
 * answering, and a newcomer plays normally afterwards.
 */
import { spawn } from 'node:child_process';
import type { Socket as NetSocket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Socket as SioSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { api, register, startTestServer, type TestServer, waitFor } from '../server/helpers.ts';
import { TestAgent } from './agentClient.ts';

const STEP_MS = 100;
const BANK_MS = 3_000;

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({
    // Long enough episodes that every attack lands mid-episode (about 250 agent steps).
    conditions: { episodes: 30, maxEpisodeFrames: 1_000 },
    remote: { stepBudgetMs: STEP_MS, timeBankMs: BANK_MS, envWorkers: 1 },
  });
  token = await register(server, 'mallory');
});

afterAll(async () => {
  await server?.dispose();
});

/** Fires once every attacker and the steady agent are mid-episode. */
let fire: () => void;
const go = new Promise<void>((resolve) => {
  fire = resolve;
});
let fired = false;
void go.then(() => {
  fired = true;
});

/**
 * Connects, says hello as `name` and plays along (answering NOOP) until `go`; then runs `attack`
 * on the next observation and reports the episode as the server recorded it. `ms` runs from that
 * observation to the close; `from` and `to` are the same moments on the wall clock.
 */
async function hostile(
  name: string,
  transport: 'websocket' | 'socket.io',
  attack: (agent: TestAgent, step: number) => void | Promise<void>,
  ready: () => void,
): Promise<{ outcome: string; reason: string | null; ms: number; from: number; to: number }> {
  const agent =
    transport === 'websocket'
      ? await TestAgent.websocket(server.url)
      : await TestAgent.socketIo(server.url);
  agent.hello(token, { agent: name, episodes: 1 });
  await agent.expect('welcome');
  let observation = await agent.expect('observation');
  ready();
  while (!fired) {
    agent.act(observation.step, 0);
    observation = await agent.expect('observation');
  }
  const from = Date.now() - (performance.now() - observation.receivedAt);
  await attack(agent, observation.step);
  await agent.closed;
  const ms = performance.now() - observation.receivedAt;
  const to = Date.now();
  // The server records the episode once it has closed the game (a worker round trip later).
  const episode = await waitFor(
    async () => {
      const { body } = await api(server, `/remote/episodes?limit=1000`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return body.episodes.find((e: { agentName: string }) => e.agentName === name);
    },
    { timeoutMs: 10_000, what: `${name}'s episode` },
  );
  return { outcome: episode.outcome, reason: episode.reason, ms, from, to };
}

describe('hostile remote agents', () => {
  it('lose only their own episode, with its outcome code; the server and other agents carry on', async () => {
    const attackers = 10;
    let readyCount = 0;
    const ready = () => {
      if (++readyCount === attackers + 1) fire();
    };
    // The steady agent runs in its own process: the attacks keep this one busy at times.
    const steady = spawn(
      process.execPath,
      ['bin/run-ts.mjs', 'tests/remote/steadyAgent.ts', server.url, token, 'steady', '3'],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const steadyLines = createInterface({ input: steady.stdout! });
    const steadyDone = new Promise<{
      outcomes: string[];
      times: number[];
    }>((resolve) => {
      steadyLines.on('line', (line) => {
        if (line === 'ready') ready();
        else if (line.startsWith('{')) resolve(JSON.parse(line));
      });
    });
    void go.then(() => steady.stdin!.write('go\n'));

    // Wall-clock times of the API's answers (health), and whether any request failed.
    const apiAnswers: number[] = [];
    let apiFailures = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const health = await api(server, '/health').catch(() => ({ status: 0 }));
        if (health.status === 200) apiAnswers.push(Date.now());
        else apiFailures++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      const results = await Promise.all([
        hostile(
          'flood',
          'websocket',
          (agent, step) => {
            for (let i = 0; i < 20_000; i++) agent.act(step, 1);
          },
          ready,
        ),
        hostile(
          'oversized',
          'websocket',
          (agent) => {
            agent.send('x'.repeat(1024 * 1024));
          },
          ready,
        ),
        hostile(
          'malformed',
          'websocket',
          (agent) => {
            // A frame with reserved opcode 3, masked as a client's must be.
            const socket = (agent.raw as WebSocket & { _socket: NetSocket })._socket;
            socket.write(Buffer.from([0x83, 0x84, 1, 2, 3, 4, 9, 9, 9, 9]));
          },
          ready,
        ),
        hostile(
          'binary',
          'websocket',
          (agent) => {
            agent.send(new Uint8Array([1, 2, 3]));
          },
          ready,
        ),
        hostile(
          'not-json',
          'websocket',
          (agent) => {
            agent.send('{"type": "action", "step": ');
          },
          ready,
        ),
        hostile(
          'bad-action',
          'websocket',
          (agent, step) => {
            agent.act(step, 99);
          },
          ready,
        ),
        hostile('silent', 'websocket', () => {}, ready),
        hostile(
          'quitter',
          'websocket',
          async (agent, step) => {
            agent.act(step, 1);
            await agent.expect('observation');
            agent.disconnect();
          },
          ready,
        ),
        hostile(
          'sio-oversized',
          'socket.io',
          (agent) => {
            agent.send('x'.repeat(1024 * 1024));
          },
          ready,
        ),
        hostile(
          'sio-event',
          'socket.io',
          (agent) => {
            (agent.raw as SioSocket).emit('shout', 'hello?');
          },
          ready,
        ),
      ]);
      const byName = Object.fromEntries(
        [
          'flood',
          'oversized',
          'malformed',
          'binary',
          'not-json',
          'bad-action',
          'silent',
          'quitter',
          'sio-oversized',
          'sio-event',
        ].map((name, i) => [name, results[i]]),
      );

      expect(byName.flood).toMatchObject({ outcome: 'PROTOCOL_ERROR' });
      expect(byName.flood.reason).toMatch(/no observation awaiting a reply|while step/);
      expect(byName.oversized).toMatchObject({ outcome: 'PROTOCOL_ERROR' });
      expect(byName.oversized.reason).toMatch(/too large/);
      expect(byName.malformed).toMatchObject({ outcome: 'PROTOCOL_ERROR' });
      expect(byName.malformed.reason).toMatch(/opcode/);
      expect(byName.binary.reason).toMatch(/binary frame/);
      expect(byName['not-json'].reason).toMatch(/not JSON/);
      expect(byName['bad-action']).toMatchObject({ outcome: 'INVALID_ACTION' });
      expect(byName['bad-action'].reason).toMatch(/action 99/);
      expect(byName.silent).toMatchObject({ outcome: 'TIMEOUT' });
      expect(byName.silent.reason).toMatch(/time bank/);
      // What was left of its bank, then three late steps.
      expect(byName.silent.ms).toBeGreaterThanOrEqual(3 * STEP_MS - 20);
      expect(byName.quitter).toMatchObject({ outcome: 'DISCONNECT' });
      expect(byName['sio-oversized'].outcome).toMatch(/^(PROTOCOL_ERROR|DISCONNECT)$/);
      expect(byName['sio-event']).toMatchObject({ outcome: 'PROTOCOL_ERROR' });
      expect(byName['sio-event'].reason).toMatch(/socket.io event 'shout'/);
      for (const r of results) expect(r.reason?.length ?? 0).toBeGreaterThan(0);

      const steadyResult = await steadyDone;
      expect(steadyResult.outcomes).toEqual(['OK', 'OK', 'OK']);
      polling = false;
      await poller;
      expect(apiFailures).toBe(0);
      // No stall, whatever the machine's load: while the silent agent held its observation
      // unanswered (its bank, then three late steps), the steady agent kept getting observations
      // and the API kept answering. A server that waited on the silent agent would show neither.
      const { from, to } = byName.silent;
      const during = (times: number[]) => times.filter((t) => t > from && t < to).length;
      expect(during(steadyResult.times)).toBeGreaterThanOrEqual(3);
      expect(during(apiAnswers)).toBeGreaterThanOrEqual(2);
    } finally {
      polling = false;
      steady.kill();
    }

    // A newcomer plays normally afterwards.
    const late = await TestAgent.websocket(server.url);
    late.hello(token, { agent: 'newcomer', episodes: 1 });
    const after = await late.play();
    expect(after.messages.some((m) => m.type === 'episode_end' && m.outcome === 'OK')).toBe(true);
    expect(server.remote.figures().sessions).toBe(0);
  }, 600_000);

  it('give an agent that never replies its whole bank and three more steps, then TIMEOUT', async () => {
    const agent = await TestAgent.websocket(server.url);
    agent.hello(token, { agent: 'mute' });
    await agent.expect('welcome');
    const first = await agent.expect('observation');
    // Late replies are played as NOOP: the next observations come without an answer.
    const more = [await agent.expect('observation'), await agent.expect('observation')];
    expect(more.map((o) => o.step)).toEqual([first.step + 1, first.step + 2]);
    const end = await agent.expect('episode_end');
    const ms = performance.now() - first.receivedAt;
    expect(end).toMatchObject({ outcome: 'TIMEOUT', steps: first.step + 2 });
    expect(end.reason).toMatch(/3 steps in a row after the 3000 ms time bank ran out/);
    expect(ms).toBeGreaterThanOrEqual(BANK_MS + 3 * STEP_MS - 20);
    await agent.closed;
  });
});
