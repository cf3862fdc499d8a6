/**
 * A `MatchPlayer` that lives on another thread: the match runs in a pool worker, the player (a
 * remote agent's session, whose socket belongs to the main thread) stays where it is, and a
 * `MessagePort` carries each step across. `relayPlayer` is the worker's side: it looks like any
 * other player to `playMatch`. `serveRelay` is the player's side: it answers the worker's calls
 * with the real player's.
 *
 * One call is in flight at a time (the match runner awaits each), so replies need no ids. A
 * forfeit crosses as data and becomes `MatchForfeit` again on the worker's side; any other
 * failure, or the port closing mid-call, fails the match as an arena error.
 */
import type { MessagePort } from 'node:worker_threads';
import type { SideInfo } from '../../emulators/twoPlayer.ts';
import {
  type ForfeitCode,
  MatchForfeit,
  type MatchPlayer,
  type MatchPlayerEnd,
  type MatchPlayerSetup,
} from './player.ts';

type RelayCall =
  | { type: 'start'; setup: MatchPlayerSetup }
  | { type: 'act'; observation: Uint8Array; info: SideInfo }
  | { type: 'end'; end: MatchPlayerEnd };

type RelayReply =
  | { type: 'ok'; action?: number }
  | { type: 'forfeit'; code: ForfeitCode; reason: string }
  | { type: 'error'; message: string };

/** The worker's side: a player whose every call is answered over `port`. */
export function relayPlayer(name: string, port: MessagePort): MatchPlayer {
  let pending: { resolve: (r: RelayReply) => void; reject: (e: Error) => void } | null = null;
  let closed = false;
  port.on('message', (reply: RelayReply) => {
    const p = pending;
    pending = null;
    p?.resolve(reply);
  });
  port.on('close', () => {
    closed = true;
    pending?.reject(new Error(`the relay to ${name} closed during a call`));
    pending = null;
  });

  async function call(
    message: RelayCall,
    transfer: ArrayBuffer[] = [],
  ): Promise<Extract<RelayReply, { type: 'ok' }>> {
    if (closed) throw new Error(`the relay to ${name} is closed`);
    const reply = await new Promise<RelayReply>((resolve, reject) => {
      pending = { resolve, reject };
      port.postMessage(message, transfer);
    });
    if (reply.type === 'forfeit') throw new MatchForfeit(reply.code, reply.reason);
    if (reply.type === 'error') throw new Error(`${name}: ${reply.message}`);
    return reply;
  }

  return {
    name,
    async start(setup) {
      await call({ type: 'start', setup });
    },
    async act(observation, info) {
      // The environment rewrites its observation on the next step: the copy travels instead.
      const copy = observation.slice();
      const reply = await call({ type: 'act', observation: copy, info }, [
        copy.buffer as ArrayBuffer,
      ]);
      return reply.action ?? -1;
    },
    async end(end) {
      await call({ type: 'end', end });
    },
    dispose() {
      port.close();
    },
  };
}

/**
 * The player's side: answers the calls arriving on `port` with `player`'s. Resolves once the
 * port closes (the worker's side let go, or `close` was called).
 */
export function serveRelay(player: MatchPlayer, port: MessagePort): Promise<void> {
  return new Promise((resolve) => {
    port.on('close', () => resolve());
    port.on('message', async (call: RelayCall) => {
      let reply: RelayReply;
      try {
        if (call.type === 'start') {
          await player.start?.(call.setup);
          reply = { type: 'ok' };
        } else if (call.type === 'act') {
          reply = { type: 'ok', action: await player.act(call.observation, call.info) };
        } else {
          await player.end?.(call.end);
          reply = { type: 'ok' };
        }
      } catch (error) {
        reply =
          error instanceof MatchForfeit
            ? { type: 'forfeit', code: error.code, reason: error.reason }
            : { type: 'error', message: (error as Error)?.message ?? String(error) };
      }
      port.postMessage(reply);
    });
  });
}
