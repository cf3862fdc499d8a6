/**
 * Client-side sorting of leaderboard tables. With no sort chosen, rows stay in the order the API
 * gave (best Rank (UB) first); a chosen column sorts stably (ties keep the API order) and rows
 * without a value (null) always go last, whichever the direction.
 */

export type SortDirection = 'ascending' | 'descending';

export interface SortState<K extends string> {
  key: K;
  direction: SortDirection;
}

export type SortValue = number | string | null | undefined;

/** How to read each sortable column's value from a row. */
export type Accessors<Row, K extends string> = Record<K, (row: Row) => SortValue>;

export function sortRows<Row, K extends string>(
  rows: readonly Row[],
  sort: SortState<K> | null,
  accessors: Accessors<Row, K>,
): Row[] {
  if (!sort) return [...rows];
  const read = accessors[sort.key];
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: read(row) }))
    .sort((a, b) => {
      const aMissing = a.value === null || a.value === undefined || Number.isNaN(a.value);
      const bMissing = b.value === null || b.value === undefined || Number.isNaN(b.value);
      if (aMissing || bMissing)
        return aMissing === bMissing ? a.index - b.index : aMissing ? 1 : -1;
      const order =
        typeof a.value === 'string' || typeof b.value === 'string'
          ? String(a.value).localeCompare(String(b.value))
          : (a.value as number) - (b.value as number);
      return order !== 0 ? sign * order : a.index - b.index;
    })
    .map((entry) => entry.row);
}

/**
 * The next sort after a click on column `key`: a new column starts in its natural direction
 * (`firstDirection`: descending for scores, ascending for ranks and names), a second click flips
 * it, a third returns to the API order.
 */
export function nextSort<K extends string>(
  current: SortState<K> | null,
  key: K,
  firstDirection: SortDirection,
): SortState<K> | null {
  if (!current || current.key !== key) return { key, direction: firstDirection };
  if (current.direction === firstDirection) {
    return { key, direction: firstDirection === 'ascending' ? 'descending' : 'ascending' };
  }
  return null;
}
