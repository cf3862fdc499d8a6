/**
 * The one priority scale of the worker pool, where evaluations and matches share the workers.
 * A higher number starts first; equal numbers take turns (round-robin across jobs). Priorities
 * only order waiting work: the rules of play are the same for every agent.
 *
 * The order is what a visitor would want to see first: a match against a remote agent that is
 * connected and waiting now; then one episode of every agent nobody has seen play yet (so each
 * has a leaderboard row within a minute of a fresh start); then the first match of every
 * two-player agent without a rating; then the seeded random agents' short evaluations; then
 * users' submissions; and last the long-running work, the seeded baselines' evaluations and the
 * matches that refine settled ratings, which share what is left.
 */
export const TASK_PRIORITY = {
  /** A pairing with a remote agent waiting in the lobby: someone is watching the clock. */
  remoteMatch: 20,
  /** Added to a version's first evaluation task while it has no recorded episode. */
  firstEpisodeBoost: 10,
  /** A pairing in which a player has no rating yet. */
  firstMatch: 5,
  /** Evaluations of the seeded random agents (short episodes). */
  quickBaseline: 2,
  /** Evaluations of submitted agents. */
  submission: 1,
  /** Evaluations of the seeded scripted and bundled agents. */
  baseline: 0,
  /** Matches between rated players. */
  match: 0,
} as const;
