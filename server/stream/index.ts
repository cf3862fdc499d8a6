/**
 * Live streaming on the server: rooms that runners publish to (`StreamHub`, `LiveRoom`), the
 * transports behind them, and the real-time runner. Wire types live in `server/protocol/`.
 */
export * from '../protocol/stream.ts';
export { InMemoryTransport, InMemoryViewer } from './inMemoryTransport.ts';
export { LeaderboardNotifier } from './leaderboardNotifier.ts';
export {
  type FrameSink,
  type LiveFrame,
  LiveRoom,
  type RoomResult,
  type RoomSettings,
  type RoomStats,
} from './liveRoom.ts';
export { hostPortRoom } from './portRooms.ts';
export { type ClosablePort, type PortLike, PortSink, pipeToSink } from './portSink.ts';
export {
  type Clock,
  monotonicClock,
  NES_FPS,
  type RealtimeResult,
  type RealtimeRunOptions,
  runRealtime,
} from './realtimeRunner.ts';
export { type ShowcaseGame, type ShowcaseHost, startShowcase } from './showcase.ts';
export {
  type LiveServer,
  type LiveServerOptions,
  listenLiveServer,
  SocketIoTransport,
} from './socketIoTransport.ts';
export { type RoomOptions, StreamHub, type StreamHubOptions } from './streamHub.ts';
export type { StreamTransport, TransportHandlers, ViewerId } from './transport.ts';
