// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeLiveSocket } from '../../../tests/support/fakeLiveSocket.ts';
import { App } from '../App.tsx';
import { MatchesPage } from './MatchesPage.tsx';

const socket = vi.hoisted(() => ({ current: null as FakeLiveSocket | null }));

vi.mock('../live/liveConnection.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../live/liveConnection.ts')>();
  const { FakeLiveSocket: Fake } = await import('../../../tests/support/fakeLiveSocket.ts');
  socket.current = new Fake();
  const connection = new original.LiveConnection('/live', () => socket.current!);
  return { ...original, liveConnection: () => connection };
});

const rating = (versionId: number, agentName: string, value: number) => ({
  versionId,
  version: 1,
  agentId: versionId,
  agentName,
  owner: 'arena',
  kind: 'builtin',
  computerLevel: null,
  rank: 1,
  rating: value,
  lower: value - 50,
  upper: value + 50,
  ci95: [value - 50, value + 50],
  matches: 10,
  wins: 5,
  losses: 5,
  draws: 0,
});

const game = (id: string, title: string, players: number) => ({
  id,
  title,
  romSha1: 'a'.repeat(40),
  baselines: null,
  actions: null,
  players,
  licence: null,
});

let tables: unknown[];
let requests: string[];
/** The games the server lists: two two-player games and a one-player one. */
const GAMES = [game('brick', 'Brick', 1), game('duel', 'Duel', 2), game('tennis', 'Tennis', 2)];

beforeEach(() => {
  requests = [];
  const table = (ratings: unknown[], matches: number, gameId = 'duel') => ({
    game: gameId,
    method: 'Bradley-Terry',
    final: false,
    resamples: 100,
    matches,
    anchor: null,
    computedAt: 1,
    ratings,
  });
  tables = [
    table([rating(2, 'scripted', 1000)], 10),
    table([rating(2, 'scripted', 1000), rating(7, 'far-away', 1100)], 12),
  ];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      requests.push(url);
      const loads = requests.filter((r) => r.startsWith('/api/ratings?game=duel')).length;
      const body = url.startsWith('/api/games')
        ? { games: GAMES }
        : url.startsWith('/api/ratings?game=duel')
          ? tables[Math.min(loads - 1, 1)]
          : url.startsWith('/api/ratings?game=tennis')
            ? table([rating(9, 'baseliner', 1200)], 4, 'tennis')
            : url.startsWith('/api/matches')
              ? { matches: [], nextBeforeId: null }
              : {};
      return new Response(JSON.stringify(body), { status: 200 });
    }),
  );
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('MatchesPage', () => {
  it('reloads the ratings and matches when the server pushes a recorded match', async () => {
    render(
      <MemoryRouter>
        <MatchesPage />
      </MemoryRouter>,
    );
    await screen.findByText('scripted');
    expect(screen.queryByText('far-away')).toBeNull();
    act(() => socket.current!.open());
    // The poll restarts at the slower rate a pushing connection allows (it may reload once).
    await act(async () => new Promise((resolve) => setTimeout(resolve, 50)));
    const loads = (prefix: string) => requests.filter((r) => r.startsWith(prefix)).length;
    const before = loads('/api/ratings?game=duel');
    const matchLoads = loads('/api/matches');

    // A change of another game leaves the page as it is.
    await act(async () =>
      socket.current!.deliver({
        type: 'leaderboard',
        game: 'brick',
        agentIds: [3],
        versionIds: [3],
        evaluationsEnded: [],
      }),
    );
    expect(loads('/api/ratings?game=duel')).toBe(before);

    await act(async () =>
      socket.current!.deliver({
        type: 'leaderboard',
        game: 'duel',
        agentIds: [2, 7],
        versionIds: [2, 7],
        evaluationsEnded: [],
      }),
    );
    await screen.findByText('far-away');
    expect(loads('/api/ratings?game=duel')).toBe(before + 1);
    expect(loads('/api/matches')).toBe(matchLoads + 1);
  });

  it('picks among the two-player games, naming the one shown, and keeps the pick in the URL', async () => {
    render(
      <MemoryRouter initialEntries={['/matches']}>
        <App />
      </MemoryRouter>,
    );
    await screen.findByText('scripted');
    expect(screen.getByText(/^Head-to-head matches of Duel:/)).toBeTruthy();
    const tabs = screen.getByRole('group', { name: 'Game' });
    // One-player games have no matches: no tab.
    expect(
      within(tabs)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Duel', 'Tennis']);
    fireEvent.click(within(tabs).getByRole('button', { name: 'Tennis' }));
    await screen.findByText('baseliner');
    expect(screen.getByText(/^Head-to-head matches of Tennis:/)).toBeTruthy();
    expect(requests).toContain('/api/ratings?game=tennis');
    expect(requests.some((r) => r.startsWith('/api/matches?game=tennis'))).toBe(true);
    expect(screen.getByRole('button', { name: 'Tennis', pressed: true })).toBeTruthy();

    // The pick is the page's address: opening it again shows the same game.
    cleanup();
    render(
      <MemoryRouter initialEntries={['/matches?game=tennis']}>
        <App />
      </MemoryRouter>,
    );
    await screen.findByText('baseliner');
    expect(screen.getByRole('button', { name: 'Tennis', pressed: true })).toBeTruthy();
  });

  it('is the Matches entry of the navigation, and its old address /duel leads to it', async () => {
    render(
      <MemoryRouter initialEntries={['/duel']}>
        <App />
      </MemoryRouter>,
    );
    await screen.findByText('scripted');
    expect(screen.getByRole('heading', { name: 'Matches', level: 1 })).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const link = within(nav).getByRole('link', { name: 'Matches' });
    expect(link.getAttribute('href')).toBe('/matches');
    expect(link.getAttribute('aria-current')).toBe('page');
    expect(within(nav).queryByRole('link', { name: 'Duel' })).toBeNull();
  });
});
