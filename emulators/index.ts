/**
 * The environment package's front door: `makeGameEnv({ game })` builds a game's environment with
 * ALE's conventions; `createEnv` is the same factory in the shape the vector env's workers load.
 */
import type { Env } from './core.ts';
import { loadGame } from './manifest/index.ts';
import { NesEnv } from './nes/nesEnv.ts';
import { type AtariOptions, atariPreprocessing } from './wrappers/index.ts';

export * from './core.ts';
export { UserError } from './errors.ts';

export interface GameEnvOptions extends AtariOptions {
  /** A manifest id, e.g. `brick`. */
  game: string;
  /** `minimal` (default), `full`, or action names. */
  actions?: 'minimal' | 'full' | string[];
  /** Game settings by name, e.g. `{ opponentLevel: 'easy' }`. */
  settings?: Record<string, string>;
}

/** The base (frame-level) environment of a game, without ALE's wrappers. */
export function makeNesEnv(options: Pick<GameEnvOptions, 'game' | 'actions' | 'settings'>): NesEnv {
  const { entry, bytes } = loadGame(options.game);
  return new NesEnv({ entry, rom: bytes, actions: options.actions, settings: options.settings });
}

/** A game's environment with ALE's conventions (observation: Uint8Array [stack, 84, 84]). */
export function makeGameEnv(options: GameEnvOptions): Env<Uint8Array> {
  const { game, actions, settings, ...atari } = options;
  return atariPreprocessing(makeNesEnv({ game, actions, settings }), atari);
}

/** The factory the vector environment's workers call with serialised options. */
export function createEnv(options: GameEnvOptions): Env<Uint8Array> {
  return makeGameEnv(options);
}
