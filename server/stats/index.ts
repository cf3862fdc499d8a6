export {
  BOOTSTRAP_FINAL,
  BOOTSTRAP_QUICK,
  type BootstrapOptions,
  type BootstrapResult,
  bootstrapRatings,
  percentile,
  type RatingInterval,
} from './bootstrap.ts';
export {
  type BradleyTerryFit,
  type BradleyTerryOptions,
  ELO_PER_NAT,
  fitBradleyTerry,
  type MatchOutcome,
  type MatchResult,
  type PlayerRating,
} from './bradleyTerry.ts';
export { type Interval, rankUB } from './rankUB.ts';
