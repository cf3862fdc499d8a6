/**
 * Live rooms whose runner is on another thread (a showcase worker, an evaluation worker): the
 * runner publishes to a `PortSink` on its end of a `MessageChannel` and sends the other end here
 * with the room's description. `hostPortRoom` opens the room on the hub, pipes the port into it
 * (`pipeToSink`), and keeps both lives tied: the port is closed when the room ends, and the room
 * ends (`stopped`, with the last score seen) when the port closes first because the runner's
 * thread went away.
 */
import type { PlayerScore } from '../protocol/stream.ts';
import type { LiveRoom } from './liveRoom.ts';
import { type ClosablePort, pipeToSink } from './portSink.ts';
import type { FrameSink, RoomOptions, StreamHub } from './streamHub.ts';

/** Opens `room` on `hub` fed from `port`; null (and the port closed) when it cannot be opened. */
export function hostPortRoom(
  hub: StreamHub,
  room: RoomOptions,
  port: ClosablePort,
  log?: (line: string) => void,
): LiveRoom | null {
  let live: LiveRoom;
  try {
    live = hub.openRoom(room);
  } catch (error) {
    log?.(`live room ${room.roomId} not opened: ${(error as Error).message}`);
    port.close();
    return null;
  }
  let last: { score: number; frames: number; players?: PlayerScore[] } = { score: 0, frames: 0 };
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    stop();
    // After the state message that tells the runner its room ended has been posted.
    setImmediate(() => port.close());
  };
  const sink: FrameSink = {
    publish(frame) {
      if (live.isEnded) return close();
      last = { score: frame.score, frames: frame.episodeFrame, players: frame.players };
      live.publish(frame);
    },
    end(result) {
      live.end(result);
      close();
    },
    get viewerCount() {
      return live.viewerCount;
    },
    get isEnded() {
      return live.isEnded;
    },
  };
  const stop = pipeToSink(port, sink);
  port.once('close', () => {
    closed = true;
    stop();
    if (!live.isEnded) live.end({ reason: 'stopped', ...last });
  });
  return live;
}
