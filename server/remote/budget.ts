/**
 * The time rules for a remote agent's replies, after Kaggle's overage time: each reply is due
 * `stepMs` after its observation was sent; a reply later than that draws the excess from a bank of
 * `bankMs` per episode (or match), so an occasional slow step or network hiccup costs nothing.
 * A step whose reply has not come when the bank runs out is missed: it is played as NOOP, the
 * bank stays empty, and `lateLimit` missed steps in a row forfeit the episode. Pure bookkeeping:
 * the caller owns the clock and the timer.
 */

export interface BudgetRules {
  /** Time a reply may take, ms after the observation was sent. */
  stepMs: number;
  /** Per-episode bank of extra time, ms. */
  bankMs: number;
  /** Missed steps in a row (bank empty) that forfeit the episode. */
  lateLimit: number;
}

export class StepBudget {
  /** Extra time left in the bank, ms. */
  bankMs: number;
  /** Steps missed in a row so far. */
  missedInARow = 0;
  /** Steps missed in total (each played as NOOP). */
  missedTotal = 0;

  constructor(readonly rules: BudgetRules) {
    this.bankMs = rules.bankMs;
  }

  /** How long to wait for the reply to the observation just sent before calling `timedOut`. */
  waitMs(): number {
    return this.rules.stepMs + this.bankMs;
  }

  /** A reply arrived `elapsedMs` after its observation: the excess over `stepMs` leaves the bank. */
  replied(elapsedMs: number): void {
    const over = Math.max(0, elapsedMs - this.rules.stepMs);
    // A reply can be processed after `waitMs` only when the server's own event loop was slow; the
    // agent is not charged more than it had.
    this.bankMs = Math.max(0, this.bankMs - over);
    this.missedInARow = 0;
  }

  /** No reply within `waitMs`: the step is missed, the bank spent. True when that forfeits. */
  timedOut(): boolean {
    this.bankMs = 0;
    this.missedInARow++;
    this.missedTotal++;
    return this.missedInARow >= this.rules.lateLimit;
  }
}
