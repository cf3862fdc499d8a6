/**
 * The stream hub: the running live rooms, the room list every viewer sees, and the routing of
 * viewers' messages (join, leave, ack, key-frame request) to rooms. See `liveRoom.ts` for what a
 * room guarantees (back-pressure, key frames).
 */
import {
  ACK_EVERY_FRAMES,
  type ClientMessage,
  type LiveRoomInfo,
  type ServerMessage,
} from '../protocol/stream.ts';
import { LiveRoom, type RoomSettings } from './liveRoom.ts';
import type { StreamTransport, ViewerId } from './transport.ts';

export {
  type FrameSink,
  type LiveFrame,
  LiveRoom,
  type RoomResult,
  type RoomSettings,
  type RoomStats,
} from './liveRoom.ts';

export const NES_WIDTH = 256;
export const NES_HEIGHT = 240;

export interface StreamHubOptions {
  transport: StreamTransport;
  /** Frames between key frames in the shared stream (default 60: one a second at 60 fps). */
  keyFrameInterval?: number;
  /** Unacknowledged frames at which a viewer is skipped (default 4 x ACK_EVERY_FRAMES). */
  maxUnackedFrames?: number;
  /** Transport backlog (messages) above which a viewer is skipped (default 8: ~4 frames). */
  maxBacklog?: number;
  /** Screen size (default the NES's 256x240). */
  width?: number;
  height?: number;
}

export type RoomOptions = Omit<LiveRoomInfo, 'startedAt'> & { startedAt?: number };

export class StreamHub {
  readonly transport: StreamTransport;
  private readonly roomsById = new Map<string, LiveRoom>();
  private readonly roomsOfViewer = new Map<ViewerId, Set<string>>();
  private readonly settings: RoomSettings;

  constructor(options: StreamHubOptions) {
    this.transport = options.transport;
    this.settings = {
      keyFrameInterval: options.keyFrameInterval ?? 60,
      maxUnackedFrames: options.maxUnackedFrames ?? 4 * ACK_EVERY_FRAMES,
      maxBacklog: options.maxBacklog ?? 8,
      width: options.width ?? NES_WIDTH,
      height: options.height ?? NES_HEIGHT,
    };
    const s = this.settings;
    if (!Number.isInteger(s.keyFrameInterval) || s.keyFrameInterval < 1) {
      throw new RangeError(
        `keyFrameInterval must be a positive integer, got ${s.keyFrameInterval}`,
      );
    }
    if (s.maxUnackedFrames < 2 * ACK_EVERY_FRAMES) {
      // Below this a viewer that acks as the protocol asks could stall for good.
      throw new RangeError(
        `maxUnackedFrames must be at least ${2 * ACK_EVERY_FRAMES}, got ${s.maxUnackedFrames}`,
      );
    }
    this.transport.listen({
      onConnect: (viewer) => this.transport.send(viewer, this.roomsMessage()),
      onMessage: (viewer, message) => this.handle(viewer, message),
      onDisconnect: (viewer) => {
        for (const roomId of this.roomsOfViewer.get(viewer) ?? []) {
          this.roomsById.get(roomId)?.removeViewer(viewer);
        }
        this.roomsOfViewer.delete(viewer);
      },
    });
  }

  /** Opens a room and announces it to every connected viewer. */
  openRoom(options: RoomOptions): LiveRoom {
    if (this.roomsById.has(options.roomId)) {
      throw new Error(`live room ${options.roomId} is already open`);
    }
    const info: LiveRoomInfo = { ...options, startedAt: options.startedAt ?? Date.now() };
    const room = new LiveRoom({
      info,
      transport: this.transport,
      settings: this.settings,
      onEnd: () => {
        this.roomsById.delete(info.roomId);
        for (const rooms of this.roomsOfViewer.values()) rooms.delete(info.roomId);
        this.transport.broadcast(this.roomsMessage());
      },
    });
    this.roomsById.set(info.roomId, room);
    this.transport.broadcast(this.roomsMessage());
    return room;
  }

  room(roomId: string): LiveRoom | undefined {
    return this.roomsById.get(roomId);
  }

  rooms(): LiveRoomInfo[] {
    return [...this.roomsById.values()].map((room) => room.info);
  }

  /** Ends every room (`stopped`) and closes the transport. */
  async close(): Promise<void> {
    for (const room of [...this.roomsById.values()]) {
      room.end({ reason: 'stopped', score: 0, frames: room.stats().frames });
    }
    await this.transport.close();
  }

  private roomsMessage(): ServerMessage {
    return { type: 'rooms', rooms: this.rooms() };
  }

  private handle(viewer: ViewerId, message: ClientMessage): void {
    if (message.type === 'listRooms') {
      this.transport.send(viewer, this.roomsMessage());
      return;
    }
    const room = this.roomsById.get(message.roomId);
    if (!room) {
      if (message.type === 'join') {
        this.transport.send(viewer, {
          type: 'error',
          code: 'UNKNOWN_ROOM',
          message: `no live room ${message.roomId}`,
        });
      }
      return;
    }
    switch (message.type) {
      case 'join': {
        const rooms = this.roomsOfViewer.get(viewer) ?? new Set<string>();
        this.roomsOfViewer.set(viewer, rooms);
        rooms.add(room.info.roomId);
        room.addViewer(viewer);
        break;
      }
      case 'leave':
        this.roomsOfViewer.get(viewer)?.delete(room.info.roomId);
        room.removeViewer(viewer);
        break;
      case 'keyFrameRequest':
        room.requestKeyFrame(viewer);
        break;
      case 'ack':
        room.acknowledge(viewer, message.received);
        break;
    }
  }
}
