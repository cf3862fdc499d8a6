export { type AtariOptions, atariOptionsSchema, atariPreprocessing } from './atariPreprocessing.ts';
export { FrameStackObservation } from './frameStackObservation.ts';
export {
  MaxAndSkipObservation,
  type MaxAndSkipOptions,
  PooledResize,
  type ScreenEnv,
} from './maxAndSkipObservation.ts';
export { NoopStart } from './noopStart.ts';
export { StickyAction } from './stickyAction.ts';
export { TerminalOnLifeLoss } from './terminalOnLifeLoss.ts';
export { TimeLimit } from './timeLimit.ts';
