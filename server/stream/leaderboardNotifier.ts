/**
 * Tells every connected viewer when a game's leaderboard changed, coalesced: the first change of a
 * game goes out at once, later ones within `windowMs` are merged into one message at the end of
 * the window. An evaluation records an episode every few hundred milliseconds on a busy server;
 * viewers then reload at most about once a window, whatever the number of running evaluations.
 */
import type { LeaderboardChange } from '../events/index.ts';
import { LEADERBOARD_MAX_IDS, type LeaderboardMessage } from '../protocol/stream.ts';
import type { StreamTransport } from './transport.ts';

interface Pending {
  agentIds: Set<number>;
  versionIds: Set<number>;
  ended: Set<number>;
}

export class LeaderboardNotifier {
  /** Games inside a window; the entry holds what arrived since the last message. */
  private readonly windows = new Map<string, { pending: Pending | null; timer: NodeJS.Timeout }>();
  private closed = false;

  constructor(
    private readonly transport: Pick<StreamTransport, 'broadcast'>,
    private readonly windowMs = 1000,
  ) {}

  notify(change: LeaderboardChange): void {
    if (this.closed) return;
    const window = this.windows.get(change.game);
    if (window) {
      window.pending ??= { agentIds: new Set(), versionIds: new Set(), ended: new Set() };
      add(window.pending, change);
      return;
    }
    const pending: Pending = { agentIds: new Set(), versionIds: new Set(), ended: new Set() };
    add(pending, change);
    this.send(change.game, pending);
    this.open(change.game);
  }

  /** Sends what is pending now and stops. */
  close(): void {
    this.closed = true;
    for (const [game, window] of this.windows) {
      clearTimeout(window.timer);
      if (window.pending) this.send(game, window.pending);
    }
    this.windows.clear();
  }

  private open(game: string): void {
    const timer = setTimeout(() => {
      const window = this.windows.get(game);
      this.windows.delete(game);
      if (window?.pending) {
        this.send(game, window.pending);
        this.open(game);
      }
    }, this.windowMs);
    timer.unref();
    this.windows.set(game, { pending: null, timer });
  }

  private send(game: string, p: Pending): void {
    // The protocol caps each list (a client would refuse longer ones); a page left out of a huge
    // burst still catches up on its slow poll.
    const ids = (set: Set<number>) => [...set].slice(0, LEADERBOARD_MAX_IDS);
    const message: LeaderboardMessage = {
      type: 'leaderboard',
      game,
      agentIds: ids(p.agentIds),
      versionIds: ids(p.versionIds),
      evaluationsEnded: ids(p.ended),
    };
    this.transport.broadcast(message);
  }
}

function add(p: Pending, change: LeaderboardChange): void {
  p.agentIds.add(change.agentId);
  p.versionIds.add(change.versionId);
  if (change.evaluationEnded) p.ended.add(change.versionId);
}
