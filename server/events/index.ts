/**
 * In-process events between the server's parts, so that who reports a change (the evaluator, the
 * API) does not depend on who tells the world (the live stream). Listeners run synchronously and
 * must not throw; a throwing listener is reported to `onListenerError` and the others still run.
 */

/** A game's leaderboard changed because of this version. */
export interface LeaderboardChange {
  game: string;
  agentId: number;
  versionId: number;
  /** True when this change completed the version's evaluation (every episode recorded). */
  evaluationEnded: boolean;
}

type Listener = (change: LeaderboardChange) => void;

export class ArenaEvents {
  private readonly leaderboardListeners = new Set<Listener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  /** Listens for leaderboard changes; returns the function that stops listening. */
  onLeaderboardChanged(listener: Listener): () => void {
    this.leaderboardListeners.add(listener);
    return () => this.leaderboardListeners.delete(listener);
  }

  leaderboardChanged(change: LeaderboardChange): void {
    for (const listener of this.leaderboardListeners) {
      try {
        listener(change);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
