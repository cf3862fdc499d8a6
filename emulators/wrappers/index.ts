export { type AtariOptions, atariOptionsSchema, atariPreprocessing } from './atariPreprocessing.ts';
export { FrameStackObservation, type FrameStackOptions } from './frameStackObservation.ts';
export {
  MaxAndSkipObservation,
  type MaxAndSkipOptions,
  PooledResize,
  type ScreenEnv,
  type ScreenPool,
} from './maxAndSkipObservation.ts';
export { NoopStart, type NoopStartOptions } from './noopStart.ts';
export { StickyAction, type StickyActionOptions } from './stickyAction.ts';
export { gameSeedOf, type StreamSeeding } from './streamSeeding.ts';
export { TerminalOnLifeLoss } from './terminalOnLifeLoss.ts';
export { TimeLimit } from './timeLimit.ts';
