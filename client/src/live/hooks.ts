/** React bindings of the live connection: the room list and one room's throttled state. */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { LiveRoomInfo } from '../../../server/protocol/live.ts';
import { type ConnectionStatus, liveConnection, type RoomSnapshot } from './liveConnection.ts';

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
