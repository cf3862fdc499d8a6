import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ArenaEvents } from '../events/index.ts';
import { LiveViewer } from '../protocol/liveViewer.ts';
import {
  LEADERBOARD_MAX_IDS,
  type LeaderboardMessage,
  serverMessageSchema,
} from '../protocol/stream.ts';
import { InMemoryTransport } from './inMemoryTransport.ts';
import { LeaderboardNotifier } from './leaderboardNotifier.ts';

const change = (game: string, versionId: number, evaluationEnded = false) => ({
  game,
  agentId: versionId * 10,
  versionId,
  evaluationEnded,
});

describe('LeaderboardNotifier', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first change at once and merges the rest of the window into one message', () => {
    const transport = new InMemoryTransport();
    const a = transport.connect();
    const b = transport.connect();
    const notifier = new LeaderboardNotifier(transport, 1000);
    notifier.notify(change('brick', 1));
    expect(a.ofType('leaderboard')).toEqual([
      { type: 'leaderboard', game: 'brick', agentIds: [10], versionIds: [1], evaluationsEnded: [] },
    ]);
    notifier.notify(change('brick', 1));
    notifier.notify(change('brick', 2, true));
    notifier.notify(change('duel', 7));
    // Another game has its own window: it goes out at once.
    expect(a.ofType('leaderboard').map((m) => m.game)).toEqual(['brick', 'duel']);
    vi.advanceTimersByTime(999);
    expect(a.ofType('leaderboard')).toHaveLength(2);
    vi.advanceTimersByTime(1);
    const merged = a.ofType('leaderboard')[2];
    expect(merged).toEqual({
      type: 'leaderboard',
      game: 'brick',
      agentIds: [10, 20],
      versionIds: [1, 2],
      evaluationsEnded: [2],
    });
    expect(b.ofType('leaderboard')).toEqual(a.ofType('leaderboard'));
    // A quiet window closes; the next change goes out at once again.
    vi.advanceTimersByTime(5000);
    expect(a.ofType('leaderboard')).toHaveLength(3);
    notifier.notify(change('brick', 3));
    expect(a.ofType('leaderboard')).toHaveLength(4);
    notifier.close();
  });

  it('flushes what is pending on close and is silent after', () => {
    const transport = new InMemoryTransport();
    const viewer = transport.connect();
    const notifier = new LeaderboardNotifier(transport, 1000);
    notifier.notify(change('brick', 1));
    notifier.notify(change('brick', 2));
    notifier.close();
    expect(viewer.ofType('leaderboard').map((m) => m.versionIds)).toEqual([[1], [2]]);
    notifier.notify(change('brick', 3));
    vi.advanceTimersByTime(5000);
    expect(viewer.ofType('leaderboard')).toHaveLength(2);
  });

  it('caps a merged message at the protocol limit, so clients still accept it', () => {
    const transport = new InMemoryTransport();
    const viewer = transport.connect();
    const notifier = new LeaderboardNotifier(transport, 1000);
    for (let v = 1; v <= LEADERBOARD_MAX_IDS + 2; v++) notifier.notify(change('brick', v));
    vi.advanceTimersByTime(1000);
    const merged = viewer.ofType('leaderboard')[1];
    expect(merged.versionIds).toHaveLength(LEADERBOARD_MAX_IDS);
    expect(serverMessageSchema.safeParse(merged).success).toBe(true);
    notifier.close();
  });

  it('carries events from ArenaEvents to a LiveViewer, which validates and hands them on', () => {
    const transport = new InMemoryTransport();
    const viewer = transport.connect();
    const events = new ArenaEvents();
    const notifier = new LeaderboardNotifier(transport, 1000);
    events.onLeaderboardChanged((c) => notifier.notify(c));
    const heard: LeaderboardMessage[] = [];
    const errors: Error[] = [];
    const client = new LiveViewer({
      send: () => {},
      onLeaderboard: (m) => heard.push(m),
      onError: (e) => errors.push(e),
    });
    viewer.listener = (m) => client.receive(m);
    events.leaderboardChanged(change('brick', 4, true));
    expect(heard).toEqual([
      {
        type: 'leaderboard',
        game: 'brick',
        agentIds: [40],
        versionIds: [4],
        evaluationsEnded: [4],
      },
    ]);
    client.receive({
      type: 'leaderboard',
      game: 'brick',
      agentIds: [-1],
      versionIds: [],
      evaluationsEnded: [],
    });
    expect(errors).toHaveLength(1);
    expect(heard).toHaveLength(1);
    notifier.close();
  });
});

describe('ArenaEvents', () => {
  it('keeps calling the other listeners when one throws, and reports the throw', () => {
    const reported: unknown[] = [];
    const events = new ArenaEvents((e) => reported.push(e));
    const heard: number[] = [];
    events.onLeaderboardChanged(() => {
      throw new Error('boom');
    });
    const stop = events.onLeaderboardChanged((c) => heard.push(c.versionId));
    events.leaderboardChanged(change('brick', 1));
    stop();
    events.leaderboardChanged(change('brick', 2));
    expect(heard).toEqual([1]);
    expect(reported.map((e) => (e as Error).message)).toEqual(['boom', 'boom']);
  });
});
