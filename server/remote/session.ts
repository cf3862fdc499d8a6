/**
 * One connected agent: its `hello` (authentication, agent and version), then the step exchange
 * under the time budget. The exchange is the only way observations go out and actions come in;
 * the episode runner (`episodes.ts`) and the Duel player (`duelPlayer.ts`) both drive it.
 *
 * Misbehaviour never blocks anything: every wait has a timer, every message is validated, and the
 * first message the protocol has no place for ends the session (a flood is cut at its first
 * surplus message). A failure while an episode is being played ends that episode with its outcome
 * code; the runner records it and then ends the session.
 */
import { loadManifest } from '../../emulators/manifest/index.ts';
import type { Storage } from '../storage/base.ts';
import type { Agent, AgentVersion, EpisodeOutcome, Owner } from '../storage/types.ts';
import { StepBudget } from './budget.ts';
import type { AgentConnection, CloseCause, Unexpected } from './connection.ts';
import type { RemoteOptions } from './options.ts';
import {
  type HelloMessage,
  headerBytes,
  isProtocolVersion,
  OBSERVATION_SHAPES,
  observationFor,
  type PlayMode,
  PROTOCOL_VERSIONS,
  type ProtocolVersion,
  parseAgentMessage,
  playMode,
  type ServerMessage,
  type SessionErrorCode,
} from './protocol.ts';

/** The end of an episode or match that is the agent's doing, with the reason its owner sees. */
export class Forfeit extends Error {
  override name = 'Forfeit';
  constructor(
    readonly outcome: Exclude<EpisodeOutcome, 'OK'>,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Runs `fn` once the event loop has read the input already waiting: Node runs expired timers
 * before it polls sockets, so on a server that was busy (or starved of CPU) a deadline timer can
 * fire while the agent's timely reply sits unread in the socket. Deciding after the next poll
 * phase (`setImmediate`) never charges an agent for the server's own delay in reading it.
 */
function afterPendingInput(fn: () => void): void {
  setImmediate(fn);
}

/** The session was ended by the server (shutdown) while an observation awaited its reply. */
export class SessionEnded extends Error {
  override name = 'SessionEnded';
  constructor() {
    super('the session ended');
  }
}

/** What a session needs from the service around it. */
export interface SessionContext {
  storage: Storage;
  options: RemoteOptions;
  /** Admits an authenticated agent (session caps); returns an error message when it may not play. */
  admit(session: AgentSession): string | null;
  /** Starts the session's play once `welcome` is out (episodes or the match lobby). */
  play(session: AgentSession): void;
  /** Called once when the session is over. */
  ended(session: AgentSession): void;
  /** Reply latency of every answered observation, ms (for the service's figures). */
  replied(elapsedMs: number): void;
  /** Free episode slots of a version (so a full version is not continued). */
  freeSlots(versionId: number): number;
}

interface Waiter {
  step: number;
  sentAt: number;
  timer: NodeJS.Timeout;
  resolve: (action: number) => void;
  reject: (error: Forfeit | SessionEnded) => void;
}

export class AgentSession {
  hello: HelloMessage | null = null;
  /** The protocol version of the hello, once it is one the server speaks. */
  protocol: ProtocolVersion | null = null;
  owner: Owner | null = null;
  agent: Agent | null = null;
  version: AgentVersion | null = null;
  actionNames: string[] = [];
  /** Set by the runner while an episode or match is being played. */
  playing = false;
  /** Episodes recorded in this session. */
  episodesPlayed = 0;
  private budget: StepBudget | null = null;
  private waiter: Waiter | null = null;
  /** Late steps whose reply may still arrive: each such stale reply is ignored once. */
  private staleAllowed = 0;
  /** The first failure (misbehaviour or disconnect); sticky. */
  private failure: Forfeit | null = null;
  private closed = false;
  private ending = false;
  private readonly helloTimer: NodeJS.Timeout;

  constructor(
    readonly connection: AgentConnection,
    private readonly ctx: SessionContext,
  ) {
    this.helloTimer = setTimeout(
      () =>
        afterPendingInput(() => {
          if (!this.hello)
            this.refuse('PROTOCOL_ERROR', `no hello within ${ctx.options.helloTimeoutMs} ms`);
        }),
      ctx.options.helloTimeoutMs,
    );
    this.helloTimer.unref();
    connection.onMessage((data) => this.onMessage(data));
    connection.onClose((cause) => this.onClose(cause));
  }

  /** What the hello asked to play (its `mode` with aliases resolved). */
  get mode(): PlayMode {
    return playMode(this.hello?.mode ?? 'episodes');
  }

  get over(): boolean {
    return this.ending || this.closed;
  }

  send(message: ServerMessage): void {
    if (!this.over) this.connection.sendText(JSON.stringify(message));
  }

  /** Begins a budget (a bank) for one episode or match. */
  startBudget(): void {
    const o = this.ctx.options;
    this.budget = new StepBudget({
      stepMs: o.stepBudgetMs,
      bankMs: o.timeBankMs,
      lateLimit: o.lateLimit,
    });
    this.staleAllowed = 0;
  }

  /** Steps missed (played as NOOP) in the current episode or match. */
  get lateReplies(): number {
    return this.budget?.missedTotal ?? 0;
  }

  /**
   * Sends one observation (`frame`: a version-2 header + pixels, sent as the agent's version with
   * its time filled in) and resolves with the agent's action, or NOOP (0) when the step was
   * missed. Rejects with a `Forfeit` when the episode is lost.
   */
  exchange(frame: Uint8Array, step: number): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.over) return Promise.reject(new SessionEnded());
    if (!this.budget) this.startBudget();
    const budget = this.budget!;
    return new Promise<number>((resolve, reject) => {
      const timedOut = () => {
        // Answered meanwhile (the reply was already waiting in the socket when the timer fired).
        if (this.waiter !== waiter) return;
        this.waiter = null;
        const forfeit = budget.timedOut();
        this.reportLate(step, performance.now() - waiter.sentAt, true, budget);
        if (forfeit) {
          this.fail(
            new Forfeit(
              'TIMEOUT',
              `no reply within ${budget.rules.stepMs} ms to ${budget.rules.lateLimit} steps in a row after the ${budget.rules.bankMs} ms time bank ran out`,
            ),
          );
          reject(this.failure!);
          return;
        }
        this.staleAllowed++;
        resolve(0);
      };
      const timer = setTimeout(() => afterPendingInput(timedOut), budget.waitMs());
      const bytes = observationFor(this.protocol ?? 1, frame, {
        bankMs: budget.bankMs,
        missedInARow: budget.missedInARow,
      });
      const waiter: Waiter = { step, sentAt: performance.now(), timer, resolve, reject };
      this.waiter = waiter;
      this.connection.sendBinary(bytes);
    });
  }

  /**
   * Ends the session: `error` (when given) goes out before the connection closes. Safe to call
   * more than once.
   */
  end(error?: { code: SessionErrorCode; message: string }): void {
    if (this.ending) return;
    if (error) this.send({ type: 'error', ...error });
    this.ending = true;
    clearTimeout(this.helloTimer);
    const waiter = this.waiter;
    this.clearWaiter();
    waiter?.reject(new SessionEnded());
    if (!this.closed) this.connection.close(error ? error.message : 'done', true);
    this.ctx.ended(this);
  }

  /** The failure a runner reports when its episode is cut short without a message (shutdown). */
  get lastFailure(): Forfeit | null {
    return this.failure;
  }

  private refuse(code: SessionErrorCode, message: string): void {
    this.end({ code, message });
  }

  private onMessage(data: string | Uint8Array | Unexpected): void {
    // After the first failure nothing the agent sends matters: a flood costs no more parsing.
    if (this.over || this.failure) return;
    if (typeof data !== 'string') {
      this.misbehaved(
        data instanceof Uint8Array
          ? 'a binary frame (agents send JSON text only)'
          : data.unexpected,
      );
      return;
    }
    const parsed = parseAgentMessage(data);
    if (!parsed.ok) {
      this.misbehaved(parsed.reason);
      return;
    }
    const message = parsed.message;
    if (message.type === 'hello') {
      if (this.hello) this.misbehaved('a second hello');
      else this.onHello(message);
      return;
    }
    if (!this.hello) {
      this.misbehaved('an action before hello');
      return;
    }
    const waiter = this.waiter;
    if (waiter && message.step === waiter.step) {
      const elapsed = performance.now() - waiter.sentAt;
      this.clearWaiter();
      if (this.budget) {
        this.budget.replied(elapsed);
        if (elapsed > this.budget.rules.stepMs)
          this.reportLate(message.step, elapsed, false, this.budget);
      }
      this.ctx.replied(elapsed);
      if (message.action < 0 || message.action >= this.actionNames.length) {
        this.fail(
          new Forfeit(
            'INVALID_ACTION',
            `action ${message.action} at step ${message.step}: valid actions are 0..${this.actionNames.length - 1}`,
          ),
        );
        waiter.reject(this.failure!);
        return;
      }
      waiter.resolve(message.action);
      return;
    }
    if (this.staleAllowed > 0) {
      // The late reply to a step already played as NOOP.
      this.staleAllowed--;
      return;
    }
    this.misbehaved(
      waiter
        ? `an action for step ${message.step} while step ${waiter.step} was awaited`
        : `an action for step ${message.step} with no observation awaiting a reply`,
    );
  }

  /** Tells an agent of version 2 or later of a late step (version 1 has no `late` message). */
  private reportLate(step: number, elapsedMs: number, missed: boolean, budget: StepBudget): void {
    if (this.protocol === null || this.protocol < 2) return;
    this.send({
      type: 'late',
      step,
      elapsedMs: Math.round(elapsedMs),
      bankMs: Math.floor(budget.bankMs),
      missed,
      missedInARow: budget.missedInARow,
    });
  }

  private onHello(hello: HelloMessage): void {
    clearTimeout(this.helloTimer);
    this.hello = hello;
    if (!isProtocolVersion(hello.protocol)) {
      this.refuse(
        'UNSUPPORTED_PROTOCOL',
        `this server speaks protocol ${PROTOCOL_VERSIONS.join(' or ')}, the agent ${hello.protocol}`,
      );
      return;
    }
    const protocol = hello.protocol;
    this.protocol = protocol;
    const { storage } = this.ctx;
    const owner = storage.authenticate(hello.token);
    if (!owner) {
      this.refuse('UNAUTHORIZED', 'invalid or revoked token');
      return;
    }
    this.owner = owner;
    const game = storage.getGame(hello.game);
    const entry = loadManifest().find((e) => e.id === hello.game);
    if (!game || !entry) {
      this.refuse('BAD_HELLO', `unknown game '${hello.game}'`);
      return;
    }
    if (this.mode === 'match' && entry.players !== 2) {
      this.refuse(
        'BAD_HELLO',
        `${hello.game} is a one-player game: mode '${hello.mode}' needs a two-player game such as duel`,
      );
      return;
    }
    let agent = storage.findAgent({ gameId: game.id, name: hello.agent });
    if (agent && (agent.ownerId !== owner.id || agent.kind !== 'remote')) {
      this.refuse(
        'CONFLICT',
        `'${hello.agent}' on ${game.id} is another agent (owner's agents and uploads keep their names); pick another name`,
      );
      return;
    }
    const busy = this.ctx.admit(this);
    if (busy) {
      this.refuse('SERVER_BUSY', busy);
      return;
    }
    agent ??= storage.createAgent({
      ownerId: owner.id,
      gameId: game.id,
      name: hello.agent,
      kind: 'remote',
    });
    this.agent = agent;
    this.version = this.pickVersion(agent, hello);
    this.actionNames = [...entry.actions];
    const episodes =
      this.mode === 'episodes'
        ? Math.min(hello.episodes, this.ctx.freeSlots(this.version.id))
        : null;
    this.send({
      type: 'welcome',
      protocol,
      agentId: agent.id,
      versionId: this.version.id,
      version: this.version.version,
      game: game.id,
      mode: hello.mode,
      actions: this.actionNames,
      observation: {
        format: hello.observation,
        shape: [...OBSERVATION_SHAPES[hello.observation]],
        headerBytes: headerBytes(protocol),
      },
      budget: {
        stepMs: this.ctx.options.stepBudgetMs,
        bankMs: this.ctx.options.timeBankMs,
        lateLimit: this.ctx.options.lateLimit,
      },
      episodes,
    });
    this.ctx.play(this);
  }

  /** The latest version, or a new one when asked for or when its episodes are all played. */
  private pickVersion(agent: Agent, hello: HelloMessage): AgentVersion {
    const details = this.ctx.storage.getAgentDetails(agent.id);
    const latest = details?.versions.reduce<AgentVersion | null>(
      (a, v) => (a === null || v.version > a.version ? v : a),
      null,
    );
    const full = this.mode === 'episodes' && latest && this.ctx.freeSlots(latest.id) === 0;
    if (latest && !hello.newVersion && !full) return latest;
    return this.ctx.storage.addAgentVersion({
      agentId: agent.id,
      metadata: {
        remote: true,
        protocol: this.protocol,
        transport: this.connection.transport,
        observation: hello.observation,
      },
    });
  }

  /** Misbehaviour: ends the episode in play with PROTOCOL_ERROR, or the session at once. */
  private misbehaved(what: string): void {
    const reason = `protocol error: ${what}`;
    if (!this.hello) {
      this.refuse('PROTOCOL_ERROR', reason);
      return;
    }
    this.fail(new Forfeit('PROTOCOL_ERROR', reason));
    if (this.waiter) {
      const waiter = this.waiter;
      this.clearWaiter();
      waiter.reject(this.failure!);
    } else if (!this.playing) this.refuse('PROTOCOL_ERROR', reason);
  }

  private onClose(cause: CloseCause): void {
    this.closed = true;
    this.fail(
      cause.protocolError
        ? new Forfeit('PROTOCOL_ERROR', `protocol error: ${cause.reason}`)
        : new Forfeit('DISCONNECT', `the agent disconnected: ${cause.reason}`),
    );
    if (this.waiter) {
      const waiter = this.waiter;
      this.clearWaiter();
      waiter.reject(this.failure!);
    }
    // A runner in play ends the session itself once it has recorded its episode.
    if (!this.playing) this.end();
  }

  private fail(forfeit: Forfeit): void {
    if (this.failure) return;
    this.failure = forfeit;
    // Stop reading: whatever else is on its way is dropped by the kernel's buffers, not parsed.
    if (!this.closed) this.connection.pause();
  }

  private clearWaiter(): void {
    if (!this.waiter) return;
    clearTimeout(this.waiter.timer);
    this.waiter = null;
  }
}
