import { describe, expect, it } from 'vitest';
import { averageDecayAt, learningRateAt, linearSchedule } from './schedules.ts';

describe('training schedules', () => {
  it('anneals epsilon linearly, then holds it', () => {
    expect(linearSchedule(1, 0.1, 100, 0)).toBe(1);
    expect(linearSchedule(1, 0.1, 100, 50)).toBeCloseTo(0.55, 10);
    expect(linearSchedule(1, 0.1, 100, 500)).toBeCloseTo(0.1, 10);
  });

  it("caps the weight average's decay while few gradient steps have been made", () => {
    expect(averageDecayAt(0.9998, 1)).toBeCloseTo(2 / 11, 12);
    expect(averageDecayAt(0.9998, 90)).toBeCloseTo(0.91, 12);
    expect(averageDecayAt(0.9998, 44_990)).toBeCloseTo(0.9998, 12);
    expect(averageDecayAt(0.9998, 1e6)).toBe(0.9998);
    expect(averageDecayAt(0.5, 3)).toBeCloseTo(4 / 13, 12);
    expect(averageDecayAt(0.5, 10)).toBe(0.5);
  });

  it('keeps the step size constant, or decays it linearly to finalLearningRate, then holds it', () => {
    const base = { learningRate: 1e-3, totalSteps: 1000 };
    expect(learningRateAt(base, 0)).toBe(1e-3);
    expect(learningRateAt(base, 5000)).toBe(1e-3);
    const decay = { ...base, finalLearningRate: 2e-4, learningRateDecaySteps: 100 };
    expect(learningRateAt(decay, 0)).toBe(1e-3);
    expect(learningRateAt(decay, 25)).toBeCloseTo(8e-4, 12);
    expect(learningRateAt(decay, 100)).toBeCloseTo(2e-4, 12);
    expect(learningRateAt(decay, 900)).toBeCloseTo(2e-4, 12);
    // Without its own length the decay spans the whole run.
    const whole = { ...base, finalLearningRate: 1e-4 };
    expect(learningRateAt(whole, 500)).toBeCloseTo(5.5e-4, 12);
    expect(learningRateAt(whole, 1000)).toBeCloseTo(1e-4, 12);
  });
});
