import { describe, expect, it } from 'vitest';
import { StepBudget } from './budget.ts';

const rules = { stepMs: 100, bankMs: 1_000, lateLimit: 3 };

describe('StepBudget', () => {
  it('charges only the excess over the step budget to the bank', () => {
    const budget = new StepBudget(rules);
    expect(budget.waitMs()).toBe(1_100);
    budget.replied(40);
    expect(budget.bankMs).toBe(1_000);
    budget.replied(350);
    expect(budget.bankMs).toBe(750);
    expect(budget.waitMs()).toBe(850);
    budget.replied(2_000);
    expect(budget.bankMs).toBe(0);
    expect(budget.waitMs()).toBe(100);
  });

  it('forfeits at the third late reply in a row; an on-time reply resets the count', () => {
    const budget = new StepBudget(rules);
    expect(budget.timedOut()).toBe(false);
    expect(budget.bankMs).toBe(0);
    expect(budget.timedOut()).toBe(false);
    budget.replied(20);
    expect(budget.missedInARow).toBe(0);
    expect(budget.timedOut()).toBe(false);
    expect(budget.timedOut()).toBe(false);
    expect(budget.timedOut()).toBe(true);
    expect(budget.missedTotal).toBe(5);
  });

  it('a lateLimit of 1 forfeits at the first late reply', () => {
    expect(new StepBudget({ ...rules, lateLimit: 1 }).timedOut()).toBe(true);
  });
});
