/**
 * ALE's conventions as one composition of the single-purpose wrappers, with every option
 * validated here. Inner to outer: sticky actions (per emulator frame), frame skip + max-pool +
 * grayscale + resize, no-op starts, the frame cap, (terminal on life loss), frame stacking.
 *
 * Sticky actions sit under the frame skip because that is where ALE draws them (Machado et al.
 * 2018; ALE's `act` repeats the previous action with probability p on each emulated frame): a new
 * action takes over on the first frame whose draw lets it, so it is late by p + p^2 + ... frames
 * (a third of a frame at 0.25), not by a whole agent step a quarter of the time.
 */
import { z } from 'zod';
import type { Env } from '../core.ts';
import { formatZodError, UserError } from '../errors.ts';
import { FrameStackObservation } from './frameStackObservation.ts';
import { MaxAndSkipObservation, type ScreenEnv } from './maxAndSkipObservation.ts';
import { NoopStart } from './noopStart.ts';
import { StickyAction } from './stickyAction.ts';
import { TerminalOnLifeLoss } from './terminalOnLifeLoss.ts';
import { TimeLimit } from './timeLimit.ts';

export const atariOptionsSchema = z
  .object({
    /** Emulator frames per agent step, max-pooled over the last two (ALE / Nature DQN: 4). */
    frameSkip: z.number().int().min(1).max(32).default(4),
    /** Observation side in pixels, grayscale, area-averaged (Nature DQN: 84). */
    screenSize: z.number().int().min(8).max(240).default(84),
    /** Frames stacked into one observation (Nature DQN: 4). */
    frameStack: z.number().int().min(1).max(16).default(4),
    /** Probability of repeating the previous action (Machado et al. 2018: 0.25). */
    stickyActionProbability: z.number().min(0).max(0.99).default(0.25),
    /** Most random no-op steps after a reset (Nature DQN: 30). */
    noopMax: z.number().int().min(0).max(1000).default(30),
    /** Frame cap after which the episode is truncated (Machado et al. 2018: 108,000). */
    maxEpisodeFrames: z.number().int().min(1).default(108_000),
    /** End training episodes on a life lost (Nature DQN training; off for evaluation). */
    terminalOnLifeLoss: z.boolean().default(false),
  })
  .strict();
export type AtariOptions = z.input<typeof atariOptionsSchema>;

export function atariPreprocessing(env: ScreenEnv, options: AtariOptions = {}): Env<Uint8Array> {
  const parsed = atariOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = formatZodError(parsed.error, 'options');
    throw new UserError(`bad environment options: ${problems}`, 'BAD_OPTION');
  }
  const o = parsed.data;
  const frames =
    o.stickyActionProbability > 0 ? new StickyAction(env, o.stickyActionProbability) : env;
  let wrapped: Env<Uint8Array> = new MaxAndSkipObservation(frames, {
    skip: o.frameSkip,
    width: o.screenSize,
    height: o.screenSize,
  });
  if (o.noopMax > 0) wrapped = new NoopStart(wrapped, o.noopMax);
  wrapped = new TimeLimit(wrapped, o.maxEpisodeFrames);
  if (o.terminalOnLifeLoss) wrapped = new TerminalOnLifeLoss(wrapped);
  return new FrameStackObservation(wrapped, o.frameStack);
}
