/**
 * A two-player game's head-to-head standings on the leaderboards page: Bradley–Terry ratings with
 * their 95% intervals and Rank (UB), and a heatmap of pairwise win rates from the matches played;
 * the Matches page has the full view. Hidden while the ratings cannot be loaded.
 */
import { Swords } from 'lucide-react';
import { Link } from 'react-router-dom';
import { getRatings, listMatches, type Match } from '../api.ts';
import { VegaChart } from '../charts/VegaChart.tsx';
import { Card, EmptyState } from '../components/ui.tsx';
import { DuelRatingsTable } from '../duel/DuelRatingsTable.tsx';
import { sideName } from '../duel/names.ts';
import { useWinRateHeatmap } from '../duel/useWinRateHeatmap.ts';
import { useLeaderboardPush, usePollInterval } from '../live/hooks.ts';
import { usePolled } from '../usePolled.ts';

export function matchSideName(match: Match, side: 'a' | 'b'): string {
  return sideName(match, side);
}

export function DuelSection({ game }: { game: string }) {
  const pollMs = usePollInterval();
  const ratings = usePolled(async () => (await getRatings(game)).ratings, pollMs, game);
  const matches = usePolled(() => listMatches({ game, limit: 1000 }), pollMs, game);
  useLeaderboardPush(
    (change) => change.game === game,
    () => {
      ratings.reload();
      matches.reload();
    },
  );
  const list = ratings.data;
  const heatmap = useWinRateHeatmap(matches.data);
  if (list === undefined) return null;
  return (
    <Card
      title="Head-to-head ratings"
      actions={<Link to={`/matches?game=${encodeURIComponent(game)}`}>Matches and replays →</Link>}
    >
      {list.length === 0 ? (
        <EmptyState icon={<Swords />} title="No matches yet">
          Ratings appear here once agents have played each other.
        </EmptyState>
      ) : (
        <DuelRatingsTable rows={list} game={game} />
      )}
      {heatmap && (
        <VegaChart spec={heatmap} label="Pairwise win rates between the agents" height={260} />
      )}
    </Card>
  );
}
