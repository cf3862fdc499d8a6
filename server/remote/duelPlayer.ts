/**
 * Remote agents in head-to-head matches. An agent that said `mode: 'match'` (or its alias
 * `'duel'`) waits in the lobby; the match scheduler lists who is waiting (`DuelLobby.waiting`) and
 * claims one as a `MatchPlayer` (`server/matches/player.ts`) for as many matches as it likes, then
 * disposes of it, which puts the agent back in the lobby. Each match has its own time bank; a
 * forfeit (missed steps, disconnect, bad action, protocol error) rejects `act` with
 * `MatchForfeit`, and the session ends once the match is over.
 */
import type { MatchPlayer, MatchPlayerEnd, MatchPlayerSetup, SideInfo } from '../matches/player.ts';
import { MatchForfeit } from '../matches/player.ts';
import { encodeObservation, FRAME_SIDE, pixelBytes } from './protocol.ts';
import { type AgentSession, Forfeit } from './session.ts';

export interface WaitingAgent {
  game: string;
  versionId: number;
  agentId: number;
  agentName: string;
  ownerName: string;
}

export class DuelLobby {
  private readonly idle = new Set<AgentSession>();
  private readonly busy = new Set<AgentSession>();

  /** Agents waiting for a match, optionally of one game, longest-waiting first. */
  waiting(game?: string): WaitingAgent[] {
    return [...this.idle].filter((s) => !game || s.hello?.game === game).map(describe);
  }

  /** Takes a waiting agent version as a match player; null when none of that version waits. */
  claim(versionId: number): RemoteMatchPlayer | null {
    for (const session of this.idle) {
      if (session.version?.id !== versionId || session.over) continue;
      this.idle.delete(session);
      this.busy.add(session);
      return new RemoteMatchPlayer(session, () => this.giveBack(session));
    }
    return null;
  }

  /** A session that said `mode: 'match'` and got its welcome. */
  join(session: AgentSession): void {
    this.idle.add(session);
  }

  /** A session that ended (disconnect, shutdown): gone from the lobby either way. */
  leave(session: AgentSession): void {
    this.idle.delete(session);
    this.busy.delete(session);
  }

  private giveBack(session: AgentSession): void {
    this.busy.delete(session);
    if (!session.over) this.idle.add(session);
  }
}

function describe(session: AgentSession): WaitingAgent {
  return {
    game: session.hello!.game,
    versionId: session.version!.id,
    agentId: session.agent!.id,
    agentName: session.agent!.name,
    ownerName: session.owner!.name,
  };
}

export class RemoteMatchPlayer implements MatchPlayer {
  readonly name: string;
  readonly versionId: number;
  /** Marks the player on match records and live rooms. */
  readonly remote = true;
  private step = 0;
  private disposed = false;

  constructor(
    private readonly session: AgentSession,
    private readonly onDispose: () => void,
  ) {
    this.name = session.agent!.name;
    this.versionId = session.version!.id;
  }

  /** An agent that left meanwhile is not refused here: its first `act` rejects with the forfeit. */
  start(setup: MatchPlayerSetup): void {
    this.step = 0;
    this.session.playing = true;
    this.session.startBudget();
    this.session.send({ type: 'match_start', side: setup.side, opponent: setup.opponent });
  }

  async act(observation: Uint8Array, info: SideInfo): Promise<number> {
    const format = this.session.hello!.observation;
    const bytes = pixelBytes(format);
    if (observation.length < bytes || observation.length % (FRAME_SIDE * FRAME_SIDE) !== 0)
      throw new Error(`a Duel observation of ${observation.length} bytes`);
    // Copied into the message here, before the environment's next step rewrites it.
    const frame = encodeObservation(
      { format, lives: info.lives, step: this.step, score: info.score },
      observation.subarray(observation.length - bytes),
    );
    try {
      const action = await this.session.exchange(frame, this.step);
      this.step++;
      return action;
    } catch (error) {
      if (error instanceof Forfeit) throw new MatchForfeit(error.outcome, error.reason);
      throw error;
    }
  }

  end(end: MatchPlayerEnd): void {
    const failure = this.session.lastFailure;
    this.session.send({
      type: 'match_end',
      outcome: failure?.outcome ?? 'OK',
      reason: failure?.reason ?? null,
      score: end.score,
      opponentScore: end.opponentScore,
      result: end.result,
    });
    this.session.playing = false;
    // A forfeit ends the session once its match is over, as for episodes.
    if (failure) this.session.end();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.session.playing = false;
    if (this.session.lastFailure) this.session.end();
    this.onDispose();
  }
}
