/**
 * Matches: a pairing of two scripted agents plays both sides from one seed, is recorded with its
 * replay, and the replay reproduces each leg exactly; a full game against the computer ends at
 * 21; asynchronous players (the shape of network players) play the same game, and a forfeit
 * ends the match for the other side.
 */
import { describe, expect, it } from 'vitest';
import { makeBuiltinAgent } from '../../agents/builtin.ts';
import { ARENA_CONDITIONS } from '../../agents/evaluation/conditions.ts';
import { loadGame } from '../../emulators/manifest/index.ts';
import type { TwoPlayerEnv } from '../../emulators/twoPlayer.ts';
import { addAgent, freshStorage } from '../../tests/support/storeFixtures.ts';
import { agentPlayer } from './localPlayers.ts';
import { MatchForfeit, type MatchPlayer } from './player.ts';
import { type MatchReplaySettings, recordLeg } from './record.ts';
import { replayMatch } from './replay.ts';
import { playMatch, runMatchTask } from './runMatch.ts';
import type { MatchLegResult, MatchTask } from './task.ts';

const duel = loadGame('duel').entry;
const DUEL = { id: 'duel', title: duel.title, romSha1: duel.sha1, baselines: null };
const scripted = {
  kind: 'agent',
  name: 'scripted',
  agent: { kind: 'builtin', name: 'scripted' },
} as const;
const random = {
  kind: 'agent',
  name: 'random',
  agent: { kind: 'builtin', name: 'random' },
} as const;

async function play(task: MatchTask): Promise<MatchLegResult[]> {
  const legs: MatchLegResult[] = [];
  await runMatchTask(task, (leg) => legs.push(leg));
  return legs;
}

describe('matches', () => {
  it('plays a pairing on both sides from one seed and reproduces each leg from its stored replay', async () => {
    const task: MatchTask = {
      game: 'duel',
      conditions: { ...ARENA_CONDITIONS, maxEpisodeFrames: 1500 },
      seed: 424242,
      players: [scripted, { ...scripted, name: 'scripted-2' }],
    };
    const legs = await play(task);
    expect(legs.map((l) => [l.left, l.right])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(legs.every((l) => l.seed === task.seed && l.frames === 1500 && l.truncated)).toBe(true);
    // Both scripted players move, on both controllers.
    for (const leg of legs) {
      const c1 = leg.controllers.filter((_, i) => i % 2 === 0);
      const c2 = leg.controllers.filter((_, i) => i % 2 === 1);
      expect(new Set(c1).size).toBeGreaterThan(1);
      expect(new Set(c2).size).toBeGreaterThan(1);
    }

    const storage = freshStorage();
    const a = addAgent(storage, { game: DUEL, name: 'scripted', kind: 'builtin' }).versionIds[0];
    const b = addAgent(storage, { game: DUEL, name: 'scripted-2', kind: 'builtin' }).versionIds[0];
    for (const leg of legs) {
      const match = recordLeg(storage, { task, versionIds: [a, b], result: leg });
      const stored = storage.getMatch(match.id)!;
      expect([stored.playerA, stored.playerB]).toEqual(leg.left === 0 ? [a, b] : [b, a]);
      const replay = storage.getReplay(stored.replayId!)!;
      expect(replay.frames).toBe(leg.frames);
      const settings = replay.settings as unknown as MatchReplaySettings;
      const again = replayMatch({
        game: settings.game,
        gameSeed: settings.gameSeed,
        gameSettings: settings.gameSettings,
        controllers: replay.actions,
      });
      expect(again.scores).toEqual([stored.scoreA, stored.scoreB]);
      expect(again.frames).toBe(leg.frames);
      expect(again.terminated).toBe(false);
    }
    storage.close();

    // Same seed, same match, byte for byte; another seed plays differently.
    const [first] = await play({
      ...task,
      conditions: { ...task.conditions, maxEpisodeFrames: 400 },
    });
    const [repeat] = await play({
      ...task,
      conditions: { ...task.conditions, maxEpisodeFrames: 400 },
    });
    const [other] = await play({
      ...task,
      seed: 7,
      conditions: { ...task.conditions, maxEpisodeFrames: 400 },
    });
    expect(repeat.controllers).toEqual(first.controllers);
    expect(other.controllers).not.toEqual(first.controllers);
  }, 300_000);

  it('plays one leg against the computer, to 21, and the replay ends in the same game over', async () => {
    const task: MatchTask = {
      game: 'duel',
      conditions: { ...ARENA_CONDITIONS },
      seed: 99,
      players: [random, { kind: 'computer', name: 'cpu-hard', level: 'hard' }],
    };
    const legs = await play(task);
    expect(legs).toHaveLength(1);
    const [leg] = legs;
    expect(leg.gameSettings).toEqual({ controller2: 'computer', opponentLevel: 'hard' });
    expect(leg.truncated).toBe(false);
    expect(Math.max(...leg.scores)).toBe(21);
    expect(leg.outcome).toBe(leg.scores[0] === 21 ? 'a' : 'b');
    const again = replayMatch({
      game: 'duel',
      gameSeed: leg.gameSeed,
      gameSettings: leg.gameSettings,
      controllers: leg.controllers,
    });
    expect(again).toEqual({ scores: leg.scores, frames: leg.frames, terminated: true });
    await expect(play({ ...task, players: [task.players[1], task.players[1]] })).rejects.toThrow(
      /computer cannot play itself/,
    );
  }, 300_000);

  it('awaits players that answer with promises, and ends the match on a forfeit', async () => {
    const setup = {
      game: 'duel',
      seed: 5,
      conditions: { ...ARENA_CONDITIONS, maxEpisodeFrames: 600 },
    };
    const scriptedPair = (asynchronous: boolean) => (env: TwoPlayerEnv) =>
      ([1, 2] as const).map((side) => {
        const agent = makeBuiltinAgent('scripted', {
          entry: env.entry,
          actions: env.actionSpace.names,
          seed: side,
          ram: env.ramOf(side),
        });
        const player = agentPlayer(`p${side}`, agent);
        if (!asynchronous) return player;
        return {
          name: player.name,
          act: (o, i) =>
            new Promise<number>((done) => setImmediate(() => done(player.act(o, i) as number))),
        } satisfies MatchPlayer;
      }) as [MatchPlayer, MatchPlayer];
    const sync = await playMatch({ setup, players: scriptedPair(false) });
    const async = await playMatch({ setup, players: scriptedPair(true) });
    expect(async.controllers).toEqual(sync.controllers);

    let steps = 0;
    const ended: string[] = [];
    const quitter: MatchPlayer = {
      name: 'quitter',
      act: async () => {
        if (++steps > 20) throw new MatchForfeit('DISCONNECT', 'the connection closed');
        return 1;
      },
      end: (e) => {
        ended.push(`quitter ${e.result}`);
      },
    };
    const stayer: MatchPlayer = {
      name: 'stayer',
      act: () => 0,
      end: (e) => {
        ended.push(`stayer ${e.result}`);
      },
    };
    const forfeited = await playMatch({ setup, players: [quitter, stayer] });
    expect(forfeited.outcome).toBe('b');
    expect(forfeited.forfeit).toEqual({
      side: 1,
      code: 'DISCONNECT',
      reason: 'the connection closed',
    });
    expect(forfeited.truncated).toBe(false);
    expect(ended.sort()).toEqual(['quitter loss', 'stayer win']);
    const invalid = await playMatch({ setup, players: [stayer, { name: 'bad', act: () => 7 }] });
    expect(invalid.forfeit?.code).toBe('INVALID_ACTION');
    expect(invalid.outcome).toBe('a');
  }, 120_000);
});
