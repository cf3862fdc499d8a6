/** Across games: each entrant's normalised score per game, and its median and mean over games. */
import { useMemo, useState } from 'react';
import type { CrossGameEntry } from '../api.ts';
import { formatNumber, Table } from '../components/ui.tsx';
import { SortHeader } from './SortHeader.tsx';
import { nextSort, type SortState, type SortValue, sortRows } from './sort.ts';

export function CrossGameTable({ rows, games }: { rows: CrossGameEntry[]; games: string[] }) {
  const [sort, setSort] = useState<SortState<string> | null>(null);
  const accessors = useMemo(() => {
    const table: Record<string, (r: CrossGameEntry) => SortValue> = {
      agent: (r) => `${r.owner}/${r.agentName}`,
      median: (r) => r.medianNormalisedScore,
      mean: (r) => r.meanNormalisedScore,
    };
    for (const g of games) table[`game:${g}`] = (r) => r.games[g]?.normalisedMean;
    return table;
  }, [games]);
  const sorted = useMemo(() => sortRows(rows, sort, accessors), [rows, sort, accessors]);
  const onSort = (column: string) =>
    setSort((s) => nextSort(s, column, column === 'agent' ? 'ascending' : 'descending'));
  const normalised = rows.some((r) =>
    Object.values(r.games).some((c) => c.normalisedMean !== null),
  );
  return (
    <>
      {!normalised && (
        <p className="note note--warn">
          Normalised scores need each game's random and scripted baselines, which are not measured
          yet on this server: the table shows raw mean scores meanwhile.
        </p>
      )}
      <Table caption="Normalised scores across games">
        <thead>
          <tr>
            <th scope="col">#</th>
            <SortHeader label="Agent" column="agent" sort={sort} onSort={onSort} />
            <SortHeader
              label="Median"
              column="median"
              sort={sort}
              onSort={onSort}
              numeric
              title="median normalised score over games"
            />
            <SortHeader label="Mean" column="mean" sort={sort} onSort={onSort} numeric />
            {games.map((g) => (
              <SortHeader
                key={g}
                label={g}
                column={`game:${g}`}
                sort={sort}
                onSort={onSort}
                numeric
              />
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row, i) => (
            <tr key={`${row.owner}/${row.agentName}`}>
              <td>{i + 1}</td>
              <td>
                <strong>{row.agentName}</strong>
                <div className="field__hint">by {row.owner}</div>
              </td>
              <td className="num">
                <strong>{formatNumber(row.medianNormalisedScore, 2)}</strong>
              </td>
              <td className="num">{formatNumber(row.meanNormalisedScore, 2)}</td>
              {games.map((g) => {
                const cell = row.games[g];
                return (
                  <td
                    key={g}
                    className="num"
                    title={
                      cell
                        ? `mean ${formatNumber(cell.mean)} over ${cell.episodes} episodes`
                        : 'not played'
                    }
                  >
                    {!cell ? (
                      '–'
                    ) : cell.normalisedMean !== null ? (
                      formatNumber(cell.normalisedMean, 2)
                    ) : (
                      <span className="field__hint">{formatNumber(cell.mean)} raw</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </Table>
    </>
  );
}
