/**
 * A played leg into storage: the match row (controller 1 is player A, controller 2 player B)
 * with its replay, in one transaction. The replay's settings say everything `replayMatch` needs.
 */
import type { Storage } from '../storage/base.ts';
import type { JsonObject, Match } from '../storage/types.ts';
import type { MatchLegResult, MatchTask } from './task.ts';

/** The settings stored with a match replay, as `replayMatch` and the API read them. */
export interface MatchReplaySettings {
  game: string;
  controllers: 2;
  gameSeed: number;
  gameSettings: Record<string, string>;
  leg: number;
  truncated: boolean;
  forfeit: MatchLegResult['forfeit'];
  stickyActionProbability: number;
  noopMax: number;
  maxEpisodeFrames: number;
  modelEpsilon: number;
}

export function recordLeg(
  storage: Storage,
  opts: {
    task: MatchTask;
    /** Agent version ids of `task.players`, index-aligned. */
    versionIds: readonly [number, number];
    result: MatchLegResult;
  },
): Match {
  const { task, versionIds, result } = opts;
  const settings: MatchReplaySettings = {
    game: task.game,
    controllers: 2,
    gameSeed: result.gameSeed,
    gameSettings: result.gameSettings,
    leg: result.leg,
    truncated: result.truncated,
    forfeit: result.forfeit,
    stickyActionProbability: task.conditions.stickyActionProbability,
    noopMax: task.conditions.noopMax,
    maxEpisodeFrames: task.conditions.maxEpisodeFrames,
    modelEpsilon: task.conditions.modelEpsilon,
  };
  return storage.recordMatch({
    playerA: versionIds[result.left],
    playerB: versionIds[result.right],
    scoreA: result.scores[0],
    scoreB: result.scores[1],
    outcome: result.outcome,
    seed: result.seed,
    replay: {
      romSha1: result.romSha1,
      seed: result.seed,
      settings: settings as unknown as JsonObject,
      actions: result.controllers,
    },
  });
}
