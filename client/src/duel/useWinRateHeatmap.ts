/** The win-rate heatmap of a list of matches, by player name; null until a match is played. */
import { useMemo } from 'react';
import type { Match } from '../api.ts';
import { pairwiseWinRates, winRateHeatmapSpec } from '../charts/specs.ts';
import { sideName } from './names.ts';

export function useWinRateHeatmap(matches: readonly Match[] | undefined) {
  return useMemo(() => {
    const played = matches ?? [];
    return played.length > 0
      ? winRateHeatmapSpec(pairwiseWinRates(played, (_id, m, side) => sideName(m, side)))
      : null;
  }, [matches]);
}
