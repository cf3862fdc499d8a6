/**
 * The training loop's schedules: exploration, Adam's step size and the weight average's decay.
 * Each is a function of the step (or update) count alone, so a resumed run continues them exactly.
 */
import type { DqnConfig } from './config.ts';

/** Linear interpolation from `start` to `end` over `duration` steps, then flat (CleanRL). */
export function linearSchedule(start: number, end: number, duration: number, t: number): number {
  return start + (end - start) * Math.min(1, t / duration);
}

/**
 * Adam's step size at `step`: learningRate, or with finalLearningRate set, a linear decay to it over
 * learningRateDecaySteps (default totalSteps).
 */
export function learningRateAt(
  cfg: Pick<
    DqnConfig,
    'learningRate' | 'finalLearningRate' | 'learningRateDecaySteps' | 'totalSteps'
  >,
  step: number,
): number {
  if (cfg.finalLearningRate === undefined) return cfg.learningRate;
  const steps = cfg.learningRateDecaySteps ?? cfg.totalSteps;
  return linearSchedule(cfg.learningRate, cfg.finalLearningRate, steps, step);
}

/**
 * The weight average's decay for the gradient step that brings the count to `updates`: `decay`,
 * or less while few steps have been made, min(decay, (1 + updates) / (10 + updates)) (as
 * TensorFlow's ExponentialMovingAverage with num_updates), so the start weights fade at once
 * instead of lingering for 1 / (1 - decay) steps.
 */
export function averageDecayAt(decay: number, updates: number): number {
  return Math.min(decay, (1 + updates) / (10 + updates));
}
