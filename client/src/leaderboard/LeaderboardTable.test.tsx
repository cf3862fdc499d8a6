// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeaderboardEntry } from '../api.ts';
import { LeaderboardTable } from './LeaderboardTable.tsx';
import { nextSort, sortRows } from './sort.ts';

afterEach(cleanup);

function entry(
  over: Partial<LeaderboardEntry> & { agentName: string; versionId: number },
): LeaderboardEntry {
  return {
    rank: 1,
    agentId: over.versionId,
    version: 1,
    owner: 'arena',
    kind: 'uploaded',
    episodes: 30,
    mean: 0,
    ci95: null,
    median: 0,
    std: null,
    min: 0,
    max: 0,
    failures: 0,
    normalisedScore: null,
    ...over,
  };
}

/** As the API sends them: best Rank (UB) first; `dqn` and `scripted` tie on rank 1. */
const ROWS: LeaderboardEntry[] = [
  entry({
    agentName: 'dqn',
    versionId: 3,
    rank: 1,
    mean: 310,
    median: 300,
    ci95: [280, 340],
    normalisedScore: 1.2,
    episodes: 30,
  }),
  entry({
    agentName: 'scripted',
    versionId: 2,
    rank: 1,
    mean: 290,
    median: 295,
    ci95: [270, 310],
    normalisedScore: 1,
    episodes: 30,
    kind: 'builtin',
  }),
  entry({
    agentName: 'random',
    versionId: 1,
    rank: 3,
    mean: 12,
    median: 11,
    ci95: [9, 15],
    normalisedScore: 0,
    episodes: 30,
    kind: 'builtin',
  }),
  entry({
    agentName: 'newcomer',
    versionId: 4,
    rank: 3,
    mean: 40,
    median: 40,
    ci95: null,
    normalisedScore: null,
    episodes: 1,
  }),
];

const names = () =>
  screen
    .getAllByRole('row')
    .slice(1)
    .map((row) => row.getAttribute('data-agent'));

const header = (name: RegExp) => screen.getByRole('button', { name });

function renderTable(rows = ROWS) {
  return render(
    <MemoryRouter>
      <LeaderboardTable rows={rows} game="brick" />
    </MemoryRouter>,
  );
}

describe('LeaderboardTable', () => {
  it('shows rows in the order the API gave them, with ranks, links and no sort', () => {
    renderTable();
    expect(names()).toEqual(['dqn', 'scripted', 'random', 'newcomer']);
    for (const th of screen.getAllByRole('columnheader')) {
      expect(['none', null]).toContain(th.getAttribute('aria-sort'));
    }
    const first = screen.getAllByRole('row')[1];
    expect(within(first).getByRole('link', { name: 'dqn' }).getAttribute('href')).toBe('/agents/3');
    expect(within(first).getByText('1')).toBeTruthy();
  });

  it('marks the baselines and the agents that play remotely', () => {
    renderTable([...ROWS, entry({ agentName: 'far', versionId: 5, kind: 'remote' })]);
    const row = (name: string) =>
      screen.getAllByRole('row').find((r) => r.getAttribute('data-agent') === name)!;
    const marks = (name: string) =>
      within(row(name))
        .queryAllByText(/^(baseline|remote)$/)
        .map((b) => b.textContent);
    expect(marks('far')).toEqual(['remote']);
    expect(marks('scripted')).toEqual(['baseline']);
    expect(marks('dqn')).toEqual([]);
  });

  it('sorts by a score column descending first, then ascending, then back to API order', () => {
    renderTable();
    fireEvent.click(header(/^Mean/));
    expect(names()).toEqual(['dqn', 'scripted', 'newcomer', 'random']);
    expect(header(/^Mean/).closest('th')?.getAttribute('aria-sort')).toBe('descending');
    fireEvent.click(header(/^Mean/));
    expect(names()).toEqual(['random', 'newcomer', 'scripted', 'dqn']);
    expect(header(/^Mean/).closest('th')?.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(header(/^Mean/));
    expect(names()).toEqual(['dqn', 'scripted', 'random', 'newcomer']);
    expect(header(/^Mean/).closest('th')?.getAttribute('aria-sort')).toBe('none');
  });

  it('puts rows without a value last in either direction', () => {
    renderTable();
    fireEvent.click(header(/^Normalised/));
    expect(names()).toEqual(['dqn', 'scripted', 'random', 'newcomer']);
    fireEvent.click(header(/^Normalised/));
    expect(names()).toEqual(['random', 'scripted', 'dqn', 'newcomer']);
  });

  it('sorts names alphabetically and keeps API order among equal ranks', () => {
    renderTable();
    fireEvent.click(header(/^Agent/));
    expect(names()).toEqual(['dqn', 'newcomer', 'random', 'scripted']);
    fireEvent.click(header(/^Rank/));
    expect(header(/^Rank/).closest('th')?.getAttribute('aria-sort')).toBe('ascending');
    expect(
      header(/^Agent/)
        .closest('th')
        ?.getAttribute('aria-sort'),
    ).toBe('none');
    expect(names()).toEqual(['dqn', 'scripted', 'random', 'newcomer']);
  });

  it('draws every interval on one scale shared by the table', () => {
    const { container } = renderTable();
    const bars = [...container.querySelectorAll('.interval-bar')];
    expect(bars).toHaveLength(4);
    const widthOf = (i: number) =>
      Number(bars[i].querySelector('.interval-bar__range')?.getAttribute('width'));
    // dqn's interval (60 wide) is twice scripted's (40 wide) on the shared scale.
    expect(widthOf(0) / widthOf(1)).toBeCloseTo(60 / 40);
    expect(bars[3].querySelector('.interval-bar__range')).toBeNull();
  });
});

describe('sortRows / nextSort', () => {
  const byValue = { v: (r: { v: number | null }) => r.v };
  it('is stable and leaves the input alone', () => {
    const rows = [{ v: 2 }, { v: 1 }, { v: 2 }, { v: null }];
    const sorted = sortRows(rows, { key: 'v', direction: 'descending' }, byValue);
    expect(sorted).toEqual([{ v: 2 }, { v: 2 }, { v: 1 }, { v: null }]);
    expect(sorted[0]).toBe(rows[0]);
    expect(sorted[1]).toBe(rows[2]);
    expect(rows.map((r) => r.v)).toEqual([2, 1, 2, null]);
    expect(sortRows(rows, null, byValue)).toEqual(rows);
  });

  it('cycles first direction, reverse, none; another column starts over', () => {
    let s = nextSort(null, 'mean', 'descending');
    expect(s).toEqual({ key: 'mean', direction: 'descending' });
    s = nextSort(s, 'mean', 'descending');
    expect(s).toEqual({ key: 'mean', direction: 'ascending' });
    expect(nextSort(s, 'mean', 'descending')).toBeNull();
    expect(nextSort(s, 'rank', 'ascending')).toEqual({ key: 'rank', direction: 'ascending' });
  });
});
