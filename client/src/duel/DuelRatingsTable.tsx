/**
 * A two-player game's ratings table: Rank (UB), the agent, its rating with the 95% interval drawn
 * as a bar (one scale for the whole table, as on the leaderboards), its record and matches. Rows
 * come in the API's order (highest rating first).
 */
import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import type { Rating } from '../api.ts';
import { IntervalBar } from '../components/IntervalBar.tsx';
import { sharedDomain } from '../components/interval.ts';
import { Badge, formatNumber, Table } from '../components/ui.tsx';
import { RankBadge } from '../leaderboard/LeaderboardTable.tsx';
import { playerName } from './names.ts';

export function DuelRatingsTable({ rows, game }: { rows: Rating[]; game: string }) {
  const domain = useMemo(
    () => sharedDomain(rows.map((r) => ({ mean: r.rating, ci95: [r.lower, r.upper] as const }))),
    [rows],
  );
  return (
    <Table caption={`Head-to-head ratings of ${game}`}>
      <thead>
        <tr>
          <th scope="col" title="1 + the number of agents whose interval lies wholly above">
            Rank (UB)
          </th>
          <th scope="col">Agent</th>
          <th scope="col" className="num">
            Rating
          </th>
          <th scope="col">95% interval</th>
          <th scope="col" className="num" title="wins – losses – draws">
            W–L–D
          </th>
          <th scope="col" className="num">
            Matches
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.versionId} data-version={r.versionId}>
            <td>
              <RankBadge rank={r.rank} />
            </td>
            <td>
              {r.agentId ? (
                <Link to={`/agents/${r.agentId}`}>
                  <strong>{playerName(r)}</strong>
                </Link>
              ) : (
                <strong>{playerName(r)}</strong>
              )}{' '}
              {r.computerLevel ? (
                <Badge tone="accent">computer · {r.computerLevel}</Badge>
              ) : r.kind ? (
                <Badge>{r.kind}</Badge>
              ) : null}
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
            <td className="num">
              {r.wins}–{r.losses}–{r.draws}
            </td>
            <td className="num">{r.matches}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
