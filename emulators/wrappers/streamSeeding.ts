/**
 * When a wrapper's random stream (sticky actions, no-op starts) restarts. `whenSeeded` is
 * Gymnasium's: a reset given a seed restarts it, a reset without one continues it.
 * `everyEpisode` restarts it on every reset, from the given seed or else from the game seed that
 * reset wrote (`info.seed`), so that each episode can be played again from its game seed alone:
 * the two-player env's streams, as its matches are published with their game seed.
 */
import type { StepInfo } from '../core.ts';

export type StreamSeeding = 'whenSeeded' | 'everyEpisode';

/** The game seed a reset wrote into the game (`NesEnv`'s `info.seed`; 0 for an env without). */
export function gameSeedOf(info: StepInfo): number {
  return Number(info.seed ?? 0);
}
