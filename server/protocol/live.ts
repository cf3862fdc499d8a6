/**
 * Everything a live-streaming client needs, browser-safe: the message types and schemas, the frame
 * codec, the viewer state machine and the NES palette. The dashboard imports from here.
 */
export * from './frameCodec.ts';
export * from './liveViewer.ts';
export * from './nesPalette.ts';
export * from './stream.ts';
