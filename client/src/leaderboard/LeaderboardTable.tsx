/**
 * A game's leaderboard: the API's rows (best Rank (UB) first) with sortable columns and each
 * row's 95% interval of the mean drawn on one scale shared by the whole table.
 */
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { LeaderboardEntry } from '../api.ts';
import { IntervalBar } from '../components/IntervalBar.tsx';
import { sharedDomain } from '../components/interval.ts';
import { Badge, formatNumber, Table } from '../components/ui.tsx';
import { SortHeader } from './SortHeader.tsx';
import { type Accessors, nextSort, type SortDirection, type SortState, sortRows } from './sort.ts';

export type LeaderboardColumn = 'rank' | 'agent' | 'mean' | 'median' | 'episodes' | 'normalised';

const ACCESSORS: Accessors<LeaderboardEntry, LeaderboardColumn> = {
  rank: (r) => r.rank,
  agent: (r) => r.agentName,
  mean: (r) => r.mean,
  median: (r) => r.median,
  episodes: (r) => r.episodes,
  normalised: (r) => r.normalisedScore,
};

/** Ranks and names read best ascending; scores best descending. */
const FIRST: Record<LeaderboardColumn, SortDirection> = {
  rank: 'ascending',
  agent: 'ascending',
  mean: 'descending',
  median: 'descending',
  episodes: 'descending',
  normalised: 'descending',
};

export function RankBadge({ rank }: { rank: number }) {
  return <span className={`rank ${rank <= 3 ? `rank--${rank}` : ''}`}>{rank}</span>;
}

export function LeaderboardTable({ rows, game }: { rows: LeaderboardEntry[]; game: string }) {
  const [sort, setSort] = useState<SortState<LeaderboardColumn> | null>(null);
  const sorted = useMemo(() => sortRows(rows, sort, ACCESSORS), [rows, sort]);
  const domain = useMemo(() => sharedDomain(rows), [rows]);
  const onSort = (column: LeaderboardColumn) => setSort((s) => nextSort(s, column, FIRST[column]));
  const header = (label: string, column: LeaderboardColumn, numeric = true, title?: string) => (
    <SortHeader
      label={label}
      column={column}
      sort={sort}
      onSort={onSort}
      numeric={numeric}
      title={title}
    />
  );
  return (
    <Table caption={`Leaderboard of ${game}`}>
      <thead>
        <tr>
          {header(
            'Rank (UB)',
            'rank',
            false,
            'Rank on the upper bound of the 95% interval: 1 + agents that are surely better',
          )}
          {header('Agent', 'agent', false)}
          {header('Mean', 'mean')}
          <th scope="col">95% interval</th>
          {header('Median', 'median')}
          {header('Episodes', 'episodes')}
          {header('Normalised', 'normalised', true, '0 = random agent, 1 = scripted agent')}
        </tr>
      </thead>
      <tbody>
        {sorted.map((row) => (
          <tr key={row.versionId} data-agent={row.agentName}>
            <td>
              <RankBadge rank={row.rank} />
            </td>
            <td>
              <Link to={`/agents/${row.agentId}`}>
                <strong>{row.agentName}</strong>
              </Link>{' '}
              {row.kind === 'builtin' && <Badge tone="accent">baseline</Badge>}
              {row.kind === 'remote' && <Badge>remote</Badge>}
              <div className="field__hint">
                v{row.version} · by {row.owner}
              </div>
            </td>
            <td className="num">
              <strong>{formatNumber(row.mean)}</strong>
            </td>
            <td>
              <IntervalBar mean={row.mean} ci95={row.ci95} domain={domain} />
            </td>
            <td className="num">{formatNumber(row.median)}</td>
            <td className="num">
              {row.episodes}
              {row.failures > 0 && (
                <span title="episodes that did not end normally">
                  {' '}
                  <Badge tone="warn">{row.failures} failed</Badge>
                </span>
              )}
            </td>
            <td className="num">{formatNumber(row.normalisedScore, 2)}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
