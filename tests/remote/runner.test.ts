/**
 * Remote episodes and local evaluation share one episode runner (`agents/evaluation/runEpisodes.ts`),
 * against a real server: a remote agent that answers with the actions builtin `random` would choose
 * for its episode's seed is sent, step by step, the observation, step, lives and score the local
 * runner shows that agent, and its episodes are recorded exactly as the server's evaluation task
 * records `random` on those seeds (score, frames, game seed, truncation, replay bytes), in protocol
 * 1 and 2. A forfeit records the runner's episode as it stood: a prefix of the local one.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { episodeSeed } from '../../agents/evaluation/conditions.ts';
import { makeRecordedEnv, type ReplayRecorder } from '../../agents/evaluation/recorder.ts';
import { runEpisodes } from '../../agents/evaluation/runEpisodes.ts';
import { RandomAgent } from '../../agents/randomAgent.ts';
import { loadOrCreateSecret } from '../../server/config.ts';
import { runEvalTask } from '../../server/eval/evalTask.ts';
import { replayEpisode } from '../../server/eval/replay.ts';
import type { EpisodeResult } from '../../server/eval/task.ts';
import type { EpisodeEndMessage } from '../../server/remote/protocol.ts';
import { register, startTestServer, type TestServer } from '../server/helpers.ts';
import { TestAgent } from './agentClient.ts';

let server: TestServer;
let token: string;
let secret: Uint8Array;

beforeAll(async () => {
  server = await startTestServer({ remote: { envWorkers: 1 } });
  token = await register(server, 'runner');
  secret = loadOrCreateSecret(server.dataDir);
});

afterAll(async () => {
  await server?.dispose();
});

/** What the agent was shown at one step: the header's fields and a digest of the pixels. */
interface StepSeen {
  step: number;
  lives: number;
  score: number;
  pixels: string;
}

const digest = (pixels: Uint8Array) => createHash('sha1').update(pixels).digest('hex');

/** Builtin `random` on `seed` through the local runner: what it saw at each step, and its record. */
async function playLocally(seed: number): Promise<{ seen: StepSeen[]; recorded: EpisodeResult }> {
  const { conditions } = server.config;
  const seen: StepSeen[] = [];
  let recorder: ReplayRecorder | null = null;
  await runEpisodes({
    plans: [{ index: 0, seed }],
    makeEnv: () => {
      const made = makeRecordedEnv({ game: 'brick', conditions });
      recorder = made.recorder;
      return made.env;
    },
    policy: {
      kind: 'perEpisode',
      make: (plan, env) => new RandomAgent(env.actionSpace.n, plan.seed),
    },
    // Called before the first step and after each: the observation the agent is about to act on.
    observe: ([episode]) => {
      if (!episode.done)
        seen.push({
          step: episode.steps,
          lives: episode.info.lives,
          score: (recorder as ReplayRecorder | null)?.score ?? Number.NaN,
          pixels: digest(episode.observation),
        });
      return false;
    },
    onEpisode: () => {},
  });
  const recorded: EpisodeResult[] = [];
  await runEvalTask({
    task: {
      game: 'brick',
      conditions,
      agent: { kind: 'builtin', name: 'random' },
      episodes: [{ index: 0, seed }],
    },
    onEpisode: (result) => recorded.push(result),
  });
  expect(recorded).toHaveLength(1);
  return { seen, recorded: recorded[0] };
}

interface RemoteEpisode {
  index: number;
  seen: StepSeen[];
  end: EpisodeEndMessage | null;
}

/**
 * Plays a session as builtin `random` would for each episode's seed (the test knows the secret);
 * with `quitAtStep`, disconnects when that step's observation arrives instead of answering it.
 */
async function playRemotely(options: {
  agentName: string;
  protocol: 1 | 2;
  episodes: number;
  quitAtStep?: number;
}): Promise<{ versionId: number; episodes: RemoteEpisode[] }> {
  const agent = await TestAgent.websocket(server.url);
  agent.hello(token, {
    agent: options.agentName,
    protocol: options.protocol,
    observation: 'stack',
    episodes: options.episodes,
  });
  const welcome = await agent.expect('welcome');
  const episodes: RemoteEpisode[] = [];
  let random: RandomAgent | null = null;
  for (;;) {
    const m = await agent.next();
    if (!m || m.type === 'done' || m.type === 'error') break;
    if (m.type === 'episode_start') {
      random = new RandomAgent(
        welcome.actions.length,
        episodeSeed(secret, welcome.versionId, m.episode),
      );
      episodes.push({ index: m.episode, seen: [], end: null });
    } else if (m.type === 'episode_end') {
      (episodes.at(-1) as RemoteEpisode).end = m;
    } else if (m.type === 'observation') {
      expect(m.protocol).toBe(options.protocol);
      const { step, lives, score, pixels } = m;
      (episodes.at(-1) as RemoteEpisode).seen.push({ step, lives, score, pixels: digest(pixels) });
      if (step === options.quitAtStep) agent.disconnect();
      else agent.act(step, (random as RandomAgent).act(pixels));
    }
  }
  return { versionId: welcome.versionId, episodes };
}

describe('remote episodes', () => {
  it('are played by the local runner: the same observations and the same records as an evaluation', async () => {
    // Version 2 plays two episodes: one runner after another on the same game worker.
    for (const [protocol, count] of [
      [1, 1],
      [2, 2],
    ] as const) {
      const { versionId, episodes } = await playRemotely({
        agentName: `random-v${protocol}`,
        protocol,
        episodes: count,
      });
      const indices = Array.from({ length: count }, (_, i) => i);
      expect(episodes.map((e) => [e.index, e.end?.outcome])).toEqual(indices.map((i) => [i, 'OK']));
      const stored = server.storage.listEpisodes({ versionId, limit: 10 });
      expect(stored).toHaveLength(count);
      for (const remote of episodes) {
        const seed = episodeSeed(secret, versionId, remote.index);
        const local = await playLocally(seed);
        // Step by step, the agent was shown what the local runner shows builtin `random`.
        expect(remote.seen).toEqual(local.seen);
        const end = remote.end as EpisodeEndMessage;
        expect(end.steps).toBe(local.seen.length);
        expect([end.score, end.frames, end.truncated]).toEqual([
          local.recorded.score,
          local.recorded.frames,
          local.recorded.truncated,
        ]);

        // Recorded as the evaluation task records the same episode.
        const episode = stored.find((e) => e.seed === seed);
        expect(episode).toMatchObject({
          score: local.recorded.score,
          frames: local.recorded.frames,
          outcome: 'OK',
          reason: null,
        });
        const replay = server.storage.getReplay(episode!.replayId!)!;
        expect(replay.romSha1).toBe(local.recorded.romSha1);
        expect(replay.seed).toBe(seed);
        expect(replay.settings).toMatchObject({
          game: 'brick',
          gameSeed: local.recorded.gameSeed,
          episodeIndex: remote.index,
          truncated: local.recorded.truncated,
          stickyActionProbability: server.config.conditions.stickyActionProbability,
          noopMax: server.config.conditions.noopMax,
          maxEpisodeFrames: server.config.conditions.maxEpisodeFrames,
          modelEpsilon: 0,
          remote: true,
          lateReplies: 0,
        });
        expect(Buffer.from(replay.actions).equals(Buffer.from(local.recorded.actions))).toBe(true);
      }
    }
  });

  it('that are forfeited are recorded as the runner had played them so far', async () => {
    const quitAtStep = 20;
    const { versionId, episodes } = await playRemotely({
      agentName: 'random-quitter',
      protocol: 2,
      episodes: 1,
      quitAtStep,
    });
    expect(episodes).toHaveLength(1);
    const seed = episodeSeed(secret, versionId, 0);
    const local = await playLocally(seed);
    expect(local.seen.length).toBeGreaterThan(quitAtStep + 1);
    expect(episodes[0].seen).toEqual(local.seen.slice(0, quitAtStep + 1));

    // The server records the episode once the worker has answered `finish`.
    let stored = server.storage.listEpisodes({ versionId, limit: 10 });
    for (let i = 0; stored.length === 0 && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stored = server.storage.listEpisodes({ versionId, limit: 10 });
    }
    expect(stored).toHaveLength(1);
    const [episode] = stored;
    expect(episode).toMatchObject({ seed, outcome: 'DISCONNECT' });
    expect(episode.score).toBe(episodes[0].seen[quitAtStep].score);
    const replay = server.storage.getReplay(episode.replayId!)!;
    expect(replay.actions.length).toBe(episode.frames);
    expect(episode.frames).toBeLessThan(local.recorded.frames);
    // Its replay is the local episode's first frames, and reproduces its score.
    const prefix = local.recorded.actions.subarray(0, episode.frames);
    expect(Buffer.from(replay.actions).equals(Buffer.from(prefix))).toBe(true);
    expect(replay.settings).toMatchObject({ gameSeed: local.recorded.gameSeed, truncated: false });
    const again = replayEpisode({
      game: 'brick',
      gameSeed: local.recorded.gameSeed,
      actions: replay.actions,
    });
    expect(again.score).toBe(episode.score);
  });
});
