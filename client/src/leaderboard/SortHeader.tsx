/** A sortable column header: a button inside the `th`, with `aria-sort` on the `th`. */
import type { SortDirection, SortState } from './sort.ts';

export interface SortHeaderProps<K extends string> {
  label: string;
  column: K;
  sort: SortState<K> | null;
  onSort: (column: K) => void;
  numeric?: boolean;
  title?: string;
}

const ARROWS: Record<SortDirection | 'none', string> = {
  ascending: '▲',
  descending: '▼',
  none: '↕',
};

export function SortHeader<K extends string>({
  label,
  column,
  sort,
  onSort,
  numeric,
  title,
}: SortHeaderProps<K>) {
  const direction = sort?.key === column ? sort.direction : 'none';
  return (
    <th scope="col" aria-sort={direction} className={numeric ? 'num' : undefined} title={title}>
      <button type="button" className="sort-button" onClick={() => onSort(column)}>
        {label}
        <span className="sort-button__arrow" aria-hidden="true">
          {ARROWS[direction]}
        </span>
      </button>
    </th>
  );
}
