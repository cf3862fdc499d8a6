/**
 * React bindings of the live connection: the room list, one room's throttled state, and pushed
 * leaderboard changes.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { LeaderboardMessage, LiveRoomInfo } from '../../../server/protocol/live.ts';
import {
  type ConnectionStatus,
  type LiveConnection,
  liveConnection,
  type RoomSnapshot,
} from './liveConnection.ts';

export interface LiveRooms {
  /** Null until the server has sent its first room list. */
  rooms: LiveRoomInfo[] | null;
  status: ConnectionStatus;
}

export function useLiveRooms(): LiveRooms {
  const connection = liveConnection();
  const rooms = useSyncExternalStore(
    (listener) => connection.subscribeRooms(listener),
    () => connection.getRooms(),
  );
  const status = useSyncExternalStore(
    (listener) => connection.subscribeRooms(listener),
    () => connection.getStatus(),
  );
  return { rooms, status };
}

const EMPTY: RoomSnapshot = { room: null, last: null, end: null, frames: 0 };

/** Watches a room while mounted; its state refreshes at most about ten times a second. */
export function useRoom(roomId: string | undefined): RoomSnapshot {
  const [snapshot, setSnapshot] = useState<RoomSnapshot>(EMPTY);
  useEffect(() => {
    if (!roomId) return;
    setSnapshot(EMPTY);
    return liveConnection().watch(roomId, setSnapshot);
  }, [roomId]);
  return snapshot;
}

/** Polling while leaderboard changes are pushed: a fallback for a missed message. */
export const PUSHED_POLL_MS = 30_000;
/** Polling while the live connection is down (nothing is pushed). */
export const UNPUSHED_POLL_MS = 4_000;

/**
 * How often a page showing scores should still poll: slowly while the live connection is open
 * (changes are pushed), as often as before while it is down.
 */
export function usePollInterval(connection: LiveConnection = liveConnection()): number {
  const status = useSyncExternalStore(
    (listener) => connection.subscribeRooms(listener),
    () => connection.getStatus(),
  );
  return status === 'open' ? PUSHED_POLL_MS : UNPUSHED_POLL_MS;
}

/**
 * Calls `onChange` for every pushed leaderboard change that `matches` (e.g. of the game shown)
 * while mounted. `matches` and `onChange` may change between renders.
 */
export function useLeaderboardPush(
  matches: (change: LeaderboardMessage) => boolean,
  onChange: () => void,
  connection: LiveConnection = liveConnection(),
): void {
  const latest = useRef({ matches, onChange });
  latest.current = { matches, onChange };
  useEffect(
    () =>
      connection.subscribeLeaderboard((change) => {
        if (latest.current.matches(change)) latest.current.onChange();
      }),
    [connection],
  );
}
