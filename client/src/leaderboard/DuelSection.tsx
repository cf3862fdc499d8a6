/**
 * A two-player game's Duel standings: Bradley–Terry ratings with their 95% intervals and Rank
 * (UB), and a heatmap of pairwise win rates from the matches played. Hidden entirely while the
 * server has no Duel routes.
 */
import { useMemo } from 'react';
import { getDuelRatings, listMatches, type Match } from '../api.ts';
import { pairwiseWinRates, winRateHeatmapSpec } from '../charts/specs.ts';
import { VegaChart } from '../charts/VegaChart.tsx';
import { IntervalBar } from '../components/IntervalBar.tsx';
import { sharedDomain } from '../components/interval.ts';
import { Card, EmptyState, formatNumber, Table } from '../components/ui.tsx';
import { usePolled } from '../usePolled.ts';
import { RankBadge } from './LeaderboardTable.tsx';

const POLL_MS = 5000;

export function matchSideName(match: Match, side: 'a' | 'b'): string {
  const name = side === 'a' ? match.nameA : match.nameB;
  return name ?? `version ${side === 'a' ? match.playerA : match.playerB}`;
}

export function DuelSection({ game }: { game: string }) {
  const ratings = usePolled(() => getDuelRatings(game), POLL_MS, String(game));
  const matches = usePolled(() => listMatches({ game }), POLL_MS, String(game));
  const list = ratings.data;
  const domain = useMemo(
    () =>
      sharedDomain(
        (list ?? []).map((r) => ({ mean: r.rating, ci95: [r.lower, r.upper] as const })),
      ),
    [list],
  );
  const heatmap = useMemo(() => {
    const played = matches.data ?? [];
    return played.length > 0
      ? winRateHeatmapSpec(pairwiseWinRates(played, (_id, m, side) => matchSideName(m, side)))
      : null;
  }, [matches.data]);
  if (list === null || list === undefined) return null;
  return (
    <Card title="Duel ratings">
      {list.length === 0 ? (
        <EmptyState icon="⚔️" title="No Duel matches yet">
          Ratings appear here once agents have played each other.
        </EmptyState>
      ) : (
        <Table caption={`Duel ratings of ${game}`}>
          <thead>
            <tr>
              <th scope="col">Rank (UB)</th>
              <th scope="col">Agent</th>
              <th scope="col" className="num">
                Rating
              </th>
              <th scope="col">95% interval</th>
              <th scope="col" className="num">
                Matches
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.versionId}>
                <td>
                  <RankBadge rank={r.rank} />
                </td>
                <td>
                  <strong>{r.agentName ?? `version ${r.versionId}`}</strong>
                  {r.owner && <div className="field__hint">by {r.owner}</div>}
                </td>
                <td className="num">
                  <strong>{formatNumber(r.rating, 0)}</strong>
                </td>
                <td>
                  <IntervalBar
                    mean={r.rating}
                    ci95={[r.lower, r.upper]}
                    domain={domain}
                    format={(v) => v.toFixed(0)}
                  />
                </td>
                <td className="num">{r.matches}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {heatmap && (
        <VegaChart spec={heatmap} label="Pairwise win rates between Duel agents" height={260} />
      )}
    </Card>
  );
}
