/**
 * Remote agents against a real server (in-process, free port): episodes over plain WebSocket and
 * socket.io land on the leaderboard as remote versions with replays that reproduce their scores;
 * bad hellos are refused with their codes; each version takes its seeds in order and a full one is
 * followed by a new version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayEpisode } from '../../server/eval/replay.ts';
import { api, register, startTestServer, type TestServer } from '../server/helpers.ts';
import { type Incoming, type Observation, TestAgent } from './agentClient.ts';

let server: TestServer;
let alice: string;
let bob: string;

beforeAll(async () => {
  server = await startTestServer({
    remote: { helloTimeoutMs: 1_000, envWorkers: 1 },
  });
  alice = await register(server, 'alice');
  bob = await register(server, 'bob');
});

afterAll(async () => {
  await server?.dispose();
});

const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

function ofType<T extends Incoming['type']>(messages: Incoming[], type: T) {
  return messages.filter((m): m is Extract<Incoming, { type: T }> => m.type === type);
}

describe('remote agents', () => {
  it('play episodes over plain WebSocket: recorded as a remote version, replays reproduce the scores', async () => {
    const agent = await TestAgent.websocket(server.url);
    agent.hello(alice, { agent: 'ws-bot', observation: 'frame', episodes: 3 });
    const welcome = await agent.expect('welcome');
    expect(welcome.actions).toEqual(['NOOP', 'FIRE', 'LEFT', 'RIGHT']);
    expect(welcome.protocol).toBe(2);
    expect(welcome.observation).toEqual({ format: 'frame', shape: [84, 84], headerBytes: 24 });
    expect(welcome.budget).toEqual({ stepMs: 100, bankMs: 10_000, lateLimit: 3 });
    expect(welcome.episodes).toBe(3);

    // Steps count up from 0 in each episode; every observation is one 84x84 frame.
    const seen: Observation[] = [];
    const { messages } = await agent.play((o) => {
      seen.push(o);
      return o.step % 7 === 0 ? 1 : o.step % 3;
    });
    const ends = ofType(messages, 'episode_end');
    expect(ends.map((e) => e.outcome)).toEqual(['OK', 'OK', 'OK']);
    expect(ends.map((e) => e.episode)).toEqual([0, 1, 2]);
    expect(messages.at(-1)).toEqual({ type: 'done', episodes: 3 });
    expect(seen.every((o) => o.format === 'frame' && o.pixels.length === 84 * 84)).toBe(true);
    const stepsPlayed = ends.reduce((n, e) => n + e.steps, 0);
    expect(seen.length).toBe(stepsPlayed);
    let expected = 0;
    for (const o of seen) {
      if (o.step === 0) expected = 0;
      expect(o.step).toBe(expected++);
    }
    // Each episode starts with the whole bank (its own), nothing missed.
    const starts = seen.filter((o) => o.step === 0);
    expect(starts).toHaveLength(3);
    for (const o of starts) expect(o.time).toEqual({ bankMs: 10_000, missedInARow: 0 });
    expect(seen.some((o) => o.pixels.some((p) => p > 0))).toBe(true);
    expect((await agent.closed).code).toBe(1000);

    const board = await api(server, '/leaderboards/brick');
    const row = board.body.rows.find((r: { agentName: string }) => r.agentName === 'ws-bot');
    expect(row).toMatchObject({ kind: 'remote', owner: 'alice', episodes: 3, failures: 0 });
    const version = await api(server, `/versions/${welcome.versionId}`);
    expect(version.body.version.metadata).toMatchObject({ remote: true, transport: 'websocket' });

    // All three seeds played: the evaluation has ended, so seeds and replays are published.
    const episodes = await api(server, `/versions/${welcome.versionId}/episodes`);
    expect(episodes.body.published).toBe(true);
    for (const e of episodes.body.episodes) {
      const { body } = await api(server, `/versions/${welcome.versionId}/episodes/${e.id}/replay`);
      const again = replayEpisode({
        game: 'brick',
        gameSeed: body.replay.settings.gameSeed,
        actions: body.replay.actions,
      });
      expect(again.score).toBe(e.score);
      expect(body.replay.settings).toMatchObject({ remote: true, lateReplies: 0 });
    }
    const scores = ends.map((e) => e.score).sort();
    expect(episodes.body.episodes.map((e: { score: number }) => e.score).sort()).toEqual(scores);

    // The owner sees outcomes and reasons; another owner sees none of them; nobody without a token.
    const mine = await api(server, '/remote/episodes', auth(alice));
    expect(
      mine.body.episodes.filter((e: { agentName: string }) => e.agentName === 'ws-bot'),
    ).toHaveLength(3);
    expect((await api(server, '/remote/episodes', auth(bob))).body.episodes).toEqual([]);
    expect((await api(server, '/remote/episodes')).status).toBe(401);
  });

  it('play over socket.io with the 4x84x84 stack; a full version is followed by a new one', async () => {
    const first = await TestAgent.socketIo(server.url);
    first.hello(alice, { agent: 'sio-bot', episodes: 2 });
    const welcome = await first.expect('welcome');
    expect(welcome.observation.shape).toEqual([4, 84, 84]);
    let stackBytes = 0;
    const { messages } = await first.play((o) => {
      stackBytes = o.pixels.length;
      return 1;
    });
    expect(stackBytes).toBe(4 * 84 * 84);
    expect(ofType(messages, 'episode_end').map((e) => [e.episode, e.outcome])).toEqual([
      [0, 'OK'],
      [1, 'OK'],
    ]);

    // The same agent continues its version with the one seed left, then gets version 2.
    const second = await TestAgent.socketIo(server.url);
    second.hello(alice, { agent: 'sio-bot', episodes: 5 });
    const again = await second.expect('welcome');
    expect([again.versionId, again.episodes]).toEqual([welcome.versionId, 1]);
    const rest = await second.play();
    expect(ofType(rest.messages, 'episode_end').map((e) => e.episode)).toEqual([2]);
    const third = await TestAgent.socketIo(server.url);
    third.hello(alice, { agent: 'sio-bot', episodes: 1, newVersion: false });
    const next = await third.expect('welcome');
    expect(next.version).toBe(welcome.version + 1);
    third.disconnect();
  });

  it('refuses bad hellos with their codes and closes the connection', async () => {
    const refusal = async (hello: (a: TestAgent) => void) => {
      const agent = await TestAgent.websocket(server.url);
      hello(agent);
      const error = await agent.expect('error');
      // A refusal closes with 1008 (policy violation) and the error's message as the reason.
      expect(await agent.closed).toEqual({ code: 1008, reason: error.message.slice(0, 100) });
      return error;
    };
    expect((await refusal((a) => a.hello('aa_nope_nope'))).code).toBe('UNAUTHORIZED');
    const unsupported = await refusal((a) => a.hello(alice, { protocol: 3 }));
    expect(unsupported.code).toBe('UNSUPPORTED_PROTOCOL');
    expect(unsupported.message).toMatch(/speaks protocol 1 or 2, the agent 3/);
    expect((await refusal((a) => a.hello(alice, { game: 'pong' }))).code).toBe('BAD_HELLO');
    expect((await refusal((a) => a.hello(alice, { mode: 'duel' }))).message).toMatch(
      /one-player game/,
    );
    expect((await refusal((a) => a.hello(alice, { mode: 'match' }))).message).toMatch(
      /brick is a one-player game: mode 'match' needs a two-player game/,
    );
    // ws-bot is alice's: bob cannot play under its name.
    expect((await refusal((a) => a.hello(bob, { agent: 'ws-bot' }))).code).toBe('CONFLICT');
    const bad = await refusal((a) => a.sendJson({ type: 'hello', protocol: 1 }));
    expect(bad.code).toBe('PROTOCOL_ERROR');
    expect(bad.message).toMatch(/token/);
    const early = await refusal((a) => a.act(0, 1));
    expect(early.message).toMatch(/before hello/);

    // Silence: the hello timer closes the connection.
    const silent = await TestAgent.websocket(server.url);
    const t0 = performance.now();
    expect((await silent.expect('error')).message).toMatch(/no hello within 1000 ms/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
  });
});
