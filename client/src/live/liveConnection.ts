/**
 * The dashboard's one live-stream connection: a socket.io socket on the live namespace feeding a
 * protocol `LiveViewer`, with rooms joined while anything on the page watches them (reference
 * counted). Each decoded frame is turned into RGBA at once (the decoder reuses its buffer), and
 * canvases blit the latest RGBA on their next animation frame; React state (score, lives, …)
 * is published separately and throttled, so the page does not re-render 60 times a second.
 * The same connection carries the server's leaderboard-changed messages to whoever listens.
 */
import { io, type Socket } from 'socket.io-client';
import {
  type EndMessage,
  type FrameMessage,
  type LeaderboardMessage,
  LIVE_EVENT,
  LIVE_NAMESPACE,
  type LiveRoomInfo,
  LiveViewer,
  type ViewerFrame,
} from '../../../server/protocol/live.ts';
import { drawIndexedFrame, rgbaLookup } from './palette.ts';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** The part of a socket.io client socket used here (a test passes a fake). */
export interface LiveSocket {
  readonly connected: boolean;
  emit(event: string, ...args: unknown[]): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

function openSocketIo(url: string): LiveSocket {
  return io(url, { transports: ['websocket'], reconnectionDelayMax: 5000 }) as Socket;
}

/** What a room shows besides its pixels. */
export interface RoomSnapshot {
  room: LiveRoomInfo | null;
  /** The latest frame's message (score, lives, action, Q-values, players), null before any. */
  last: Omit<FrameMessage, 'frame'> | null;
  end: EndMessage | null;
  /** Frames decoded since the room was joined. */
  frames: number;
}

/** The latest screen of a room as RGBA; `version` increases with every frame drawn into it. */
export interface RoomPicture {
  width: number;
  height: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
  version: number;
}

interface Watched {
  refs: number;
  snapshot: RoomSnapshot;
  picture: RoomPicture | null;
  listeners: Set<(snapshot: RoomSnapshot) => void>;
  lastPublish: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/** State listeners hear about a room at most this often (ms); canvases are not throttled. */
const PUBLISH_EVERY_MS = 100;

export class LiveConnection {
  private socket: LiveSocket | null = null;
  private readonly viewer: LiveViewer;
  private readonly lookup = rgbaLookup();
  private readonly watched = new Map<string, Watched>();
  private rooms: LiveRoomInfo[] = [];
  private roomsKnown = false;
  private status: ConnectionStatus = 'connecting';
  private readonly roomListeners = new Set<() => void>();
  private readonly leaderboardListeners = new Set<(change: LeaderboardMessage) => void>();

  constructor(
    private readonly url: string = LIVE_NAMESPACE,
    private readonly openSocket: (url: string) => LiveSocket = openSocketIo,
  ) {
    this.viewer = new LiveViewer({
      send: (message) => this.socket?.emit(LIVE_EVENT, message),
      onRooms: (rooms) => {
        this.rooms = rooms;
        this.roomsKnown = true;
        this.notifyRooms();
      },
      onJoined: (room) => this.update(room.roomId, (s) => ({ ...s, room, end: null })),
      onFrame: (frame) => this.onFrame(frame),
      onEnd: (end) => this.update(end.roomId, (s) => ({ ...s, end }), true),
      onLeaderboard: (change) => {
        for (const listener of this.leaderboardListeners) listener(change);
      },
      onError: () => {
        // Decoding gaps are recovered by the viewer (key frame requests); nothing to show.
      },
    });
  }

  /** Opens the socket on first use (not at import, so tests and other pages pay nothing). */
  private ensureSocket(): void {
    if (this.socket) return;
    const socket = this.openSocket(this.url);
    this.socket = socket;
    socket.on(LIVE_EVENT, (raw: unknown) => this.viewer.receive(raw));
    socket.on('connect', () => {
      this.status = 'open';
      // A reconnect is a new viewer on the server: join every watched room again.
      for (const roomId of this.watched.keys()) this.viewer.join(roomId);
      this.notifyRooms();
    });
    socket.on('disconnect', () => {
      this.status = 'closed';
      this.notifyRooms();
    });
    socket.on('connect_error', () => {
      this.status = 'closed';
      this.notifyRooms();
    });
  }

  getStatus(): ConnectionStatus {
    return this.status;
  }

  /** The rooms running now, or null until the server has said. */
  getRooms(): LiveRoomInfo[] | null {
    return this.roomsKnown ? this.rooms : null;
  }

  /** Listens to room list and connection changes; returns the unsubscribe function. */
  subscribeRooms(listener: () => void): () => void {
    this.ensureSocket();
    this.roomListeners.add(listener);
    return () => this.roomListeners.delete(listener);
  }

  /** Listens to leaderboard-changed messages (connecting if needed); returns the unsubscribe. */
  subscribeLeaderboard(listener: (change: LeaderboardMessage) => void): () => void {
    this.ensureSocket();
    this.leaderboardListeners.add(listener);
    return () => this.leaderboardListeners.delete(listener);
  }

  /** Watches a room (joining it on the first watcher); returns the function that stops. */
  watch(roomId: string, listener: (snapshot: RoomSnapshot) => void): () => void {
    this.ensureSocket();
    let entry = this.watched.get(roomId);
    if (!entry) {
      entry = {
        refs: 0,
        snapshot: {
          room: this.rooms.find((r) => r.roomId === roomId) ?? null,
          last: null,
          end: null,
          frames: 0,
        },
        picture: null,
        listeners: new Set(),
        lastPublish: 0,
        timer: null,
      };
      this.watched.set(roomId, entry);
      if (this.socket?.connected) this.viewer.join(roomId);
    }
    entry.refs++;
    entry.listeners.add(listener);
    listener(entry.snapshot);
    const watchedEntry = entry;
    return () => {
      watchedEntry.listeners.delete(listener);
      watchedEntry.refs--;
      if (watchedEntry.refs > 0) return;
      if (watchedEntry.timer) clearTimeout(watchedEntry.timer);
      this.watched.delete(roomId);
      if (this.socket?.connected && !watchedEntry.snapshot.end) this.viewer.leave(roomId);
    };
  }

  /** The latest RGBA screen of a watched room, for a canvas's animation loop. */
  picture(roomId: string): RoomPicture | null {
    return this.watched.get(roomId)?.picture ?? null;
  }

  private onFrame(frame: ViewerFrame): void {
    const entry = this.watched.get(frame.roomId);
    if (!entry) return;
    const pixels = frame.width * frame.height;
    let picture = entry.picture;
    if (!picture || picture.width !== frame.width || picture.height !== frame.height) {
      picture = {
        width: frame.width,
        height: frame.height,
        rgba: new Uint8ClampedArray(pixels * 4),
        version: 0,
      };
      entry.picture = picture;
    }
    drawIndexedFrame(frame.pixels, { data: picture.rgba }, this.lookup);
    picture.version++;
    const { frame: _bytes, ...last } = frame.message;
    this.update(frame.roomId, (s) => ({ ...s, last, frames: s.frames + 1 }));
  }

  private update(roomId: string, change: (s: RoomSnapshot) => RoomSnapshot, now = false): void {
    const entry = this.watched.get(roomId);
    if (!entry) return;
    entry.snapshot = change(entry.snapshot);
    const due = entry.lastPublish + PUBLISH_EVERY_MS - Date.now();
    if (now || due <= 0) {
      this.publish(entry);
    } else if (!entry.timer) {
      entry.timer = setTimeout(() => this.publish(entry), due);
    }
  }

  private publish(entry: Watched): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.lastPublish = Date.now();
    for (const listener of entry.listeners) listener(entry.snapshot);
  }

  private notifyRooms(): void {
    for (const listener of this.roomListeners) listener();
  }
}

let shared: LiveConnection | null = null;

/** The page's one connection, made on first use. */
export function liveConnection(): LiveConnection {
  shared ??= new LiveConnection();
  return shared;
}
