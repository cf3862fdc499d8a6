/**
 * A two-player game's Duel standings on the leaderboards page: Bradley–Terry ratings with their
 * 95% intervals and Rank (UB), and a heatmap of pairwise win rates from the matches played; the
 * Duel page has the full view. Hidden entirely while the server has no Duel routes.
 */
import { Swords } from 'lucide-react';
import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { getDuelRatings, listMatches, type Match } from '../api.ts';
import { pairwiseWinRates, winRateHeatmapSpec } from '../charts/specs.ts';
import { VegaChart } from '../charts/VegaChart.tsx';
import { Card, EmptyState } from '../components/ui.tsx';
import { DuelRatingsTable } from '../duel/DuelRatingsTable.tsx';
import { sideName } from '../duel/names.ts';
import { useLeaderboardPush, usePollInterval } from '../live/hooks.ts';
import { usePolled } from '../usePolled.ts';

export function matchSideName(match: Match, side: 'a' | 'b'): string {
  return sideName(match, side);
}

export function DuelSection({ game }: { game: string }) {
  const pollMs = usePollInterval();
  const ratings = usePolled(() => getDuelRatings(game), pollMs, String(game));
  const matches = usePolled(() => listMatches({ game, limit: 1000 }), pollMs, String(game));
  useLeaderboardPush(
    (change) => change.game === game,
    () => {
      ratings.reload();
      matches.reload();
    },
  );
  const list = ratings.data;
  const heatmap = useMemo(() => {
    const played = matches.data ?? [];
    return played.length > 0
      ? winRateHeatmapSpec(pairwiseWinRates(played, (_id, m, side) => sideName(m, side)))
      : null;
  }, [matches.data]);
  if (list === null || list === undefined) return null;
  return (
    <Card title="Duel ratings" actions={<Link to="/duel">Matches and replays →</Link>}>
      {list.length === 0 ? (
        <EmptyState icon={<Swords />} title="No Duel matches yet">
          Ratings appear here once agents have played each other.
        </EmptyState>
      ) : (
        <DuelRatingsTable rows={list} game={game} />
      )}
      {heatmap && (
        <VegaChart spec={heatmap} label="Pairwise win rates between Duel agents" height={260} />
      )}
    </Card>
  );
}
