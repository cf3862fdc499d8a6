// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Match, MatchPlayer, Rating, RatingsResponse } from '../api.ts';
import { MatchesPage } from '../pages/MatchesPage.tsx';
import { DuelRatingsTable } from './DuelRatingsTable.tsx';
import { MatchList } from './MatchList.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const player = (
  versionId: number,
  agentName: string,
  extra: Partial<MatchPlayer> = {},
): MatchPlayer => ({
  versionId,
  version: 1,
  agentId: versionId + 100,
  agentName,
  owner: 'arena',
  kind: 'builtin' as const,
  computerLevel: null,
  ...extra,
});

/** As the API sends them: highest rating first; the two at the top overlap (both Rank 1). */
const RATINGS: Rating[] = [
  {
    ...player(5, 'cpu-hard', { computerLevel: 'hard' }),
    rank: 1,
    rating: 1190,
    lower: 1120,
    upper: 1260,
    ci95: [1120, 1260],
    matches: 40,
    wins: 30,
    losses: 8,
    draws: 2,
  },
  {
    ...player(2, 'scripted'),
    rank: 1,
    rating: 1000,
    lower: 1000,
    upper: 1000,
    ci95: [1000, 1000],
    matches: 60,
    wins: 35,
    losses: 20,
    draws: 5,
  },
  {
    ...player(1, 'random'),
    rank: 3,
    rating: 610,
    lower: 540,
    upper: 690,
    ci95: [540, 690],
    matches: 50,
    wins: 1,
    losses: 49,
    draws: 0,
  },
];

const match = (id: number, a: MatchPlayer, b: MatchPlayer, scores: [number, number]): Match => ({
  id,
  gameId: 'duel',
  playerA: a.versionId,
  playerB: b.versionId,
  nameA: a.agentName,
  nameB: b.agentName,
  players: [a, b],
  scoreA: scores[0],
  scoreB: scores[1],
  outcome: scores[0] > scores[1] ? 'a' : scores[1] > scores[0] ? 'b' : 'draw',
  seed: id,
  replayId: id,
  replayUrl: `/api/matches/${id}/replay`,
  createdAt: 1_700_000_000_000 + id,
});

const DUEL_GAME = {
  id: 'duel',
  title: 'Duel',
  romSha1: 'b'.repeat(40),
  baselines: null,
  actions: null,
  players: 2,
  licence: null,
};

const MATCHES: Match[] = [
  match(9, player(2, 'scripted'), player(5, 'cpu-hard', { computerLevel: 'hard' }), [17, 21]),
  match(8, player(1, 'random'), player(2, 'scripted'), [3, 21]),
  match(7, player(2, 'scripted'), player(1, 'random'), [4, 4]),
];

describe('DuelRatingsTable', () => {
  it('keeps the API order and shows rank, rating, interval bar and record', () => {
    render(
      <MemoryRouter>
        <DuelRatingsTable rows={RATINGS} game="duel" />
      </MemoryRouter>,
    );
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-version'))).toEqual(['5', '2', '1']);
    const cells = (r: HTMLElement) =>
      within(r)
        .getAllByRole('cell')
        .map((c) => c.textContent);
    expect(cells(rows[0])[0]).toBe('1');
    expect(cells(rows[1])[0]).toBe('1');
    expect(cells(rows[2])[0]).toBe('3');
    expect(cells(rows[2])[4]).toBe('1–49–0');
    expect(within(rows[0]).getByText(/computer · hard/)).toBeTruthy();
    expect(within(rows[1]).getByRole('link', { name: 'scripted' }).getAttribute('href')).toBe(
      '/agents/102',
    );
    // One scale for every bar: the widest interval spans more pixels than the anchor's point.
    const bars = rows.map((r) => within(r).getByRole('img'));
    expect(bars[0].getAttribute('aria-label')).toBe('mean 1190, 95% interval 1120 to 1260');
    const width = (bar: HTMLElement) => Number(bar.querySelector('rect')?.getAttribute('width'));
    expect(width(bars[0])).toBeGreaterThan(width(bars[1]));
    expect(width(bars[2])).toBeGreaterThan(width(bars[1]));
  });
});

describe('MatchList', () => {
  it('names both sides, bolds the winner, shows draws and links each match to its replay', () => {
    render(
      <MemoryRouter>
        <MatchList matches={MATCHES} caption="recent" />
      </MemoryRouter>,
    );
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-match'))).toEqual(['9', '8', '7']);
    const first = within(rows[0]).getAllByRole('cell');
    expect(first[1].textContent).toBe('scripted');
    expect(first[2].textContent).toBe('17 : 21');
    expect(first[3].querySelector('strong')?.textContent).toBe('cpu-hard');
    expect(first[4].textContent).toBe('cpu-hard won');
    expect(within(rows[2]).getAllByRole('cell')[4].textContent).toBe('draw');
    expect(within(rows[1]).getByRole('link').getAttribute('href')).toBe('/matches/8');
  });
});

describe('MatchesPage', () => {
  let table: RatingsResponse;
  beforeEach(() => {
    table = {
      game: 'duel',
      method: 'Bradley-Terry',
      final: true,
      resamples: 1000,
      matches: 150,
      anchor: { ...player(2, 'scripted'), rating: 1000 },
      computedAt: 1,
      ratings: RATINGS,
    };
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        const body = url.startsWith('/api/games')
          ? { games: [DUEL_GAME] }
          : url.startsWith('/api/ratings?game=duel')
            ? table
            : url.startsWith('/api/matches?game=duel')
              ? { matches: MATCHES, nextBeforeId: null }
              : null;
        return new Response(JSON.stringify(body), { status: body ? 200 : 404 });
      }),
    );
  });

  it('shows the final table, its anchor and the recent matches', async () => {
    render(
      <MemoryRouter>
        <MatchesPage />
      </MemoryRouter>,
    );
    await waitFor(() => expect(screen.getByText('final · 1,000 resamples')).toBeTruthy());
    expect(screen.getByRole('heading', { name: 'Matches', level: 1 })).toBeTruthy();
    expect(screen.getByText(/^Head-to-head matches of Duel:/)).toBeTruthy();
    expect(screen.getByRole('table', { name: 'Head-to-head ratings of duel' })).toBeTruthy();
    await waitFor(() =>
      expect(screen.getByRole('table', { name: 'Recent matches of duel' })).toBeTruthy(),
    );
    expect(screen.getByText('150')).toBeTruthy();
    expect(screen.getAllByRole('link', { name: /watch the replay/ })).toHaveLength(3);
  });

  it('says when the table is still being refreshed', async () => {
    table = { ...table, final: false, resamples: 100 };
    render(
      <MemoryRouter>
        <MatchesPage />
      </MemoryRouter>,
    );
    await waitFor(() => expect(screen.getByText('updating · 100 resamples')).toBeTruthy());
  });
});
