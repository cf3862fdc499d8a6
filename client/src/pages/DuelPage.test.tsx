// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeLiveSocket } from '../../../tests/support/fakeLiveSocket.ts';
import { DuelPage } from './DuelPage.tsx';

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
  matches: 10,
  wins: 5,
  losses: 5,
  draws: 0,
});

let tables: unknown[];
let requests: string[];

beforeEach(() => {
  requests = [];
  const table = (ratings: unknown[], matches: number) => ({
    game: 'duel',
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
      const loads = requests.filter((r) => r.startsWith('/api/duel/ratings')).length;
      const body = url.startsWith('/api/openapi.json')
        ? { paths: { '/duel/ratings': {}, '/matches': {} } }
        : url.startsWith('/api/duel/ratings')
          ? tables[Math.min(loads - 1, 1)]
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

describe('DuelPage', () => {
  it('reloads the ratings and matches when the server pushes a recorded Duel match', async () => {
    render(
      <MemoryRouter>
        <DuelPage />
      </MemoryRouter>,
    );
    await screen.findByText('scripted');
    expect(screen.queryByText('far-away')).toBeNull();
    act(() => socket.current!.open());
    // The poll restarts at the slower rate a pushing connection allows (it may reload once).
    await act(async () => new Promise((resolve) => setTimeout(resolve, 50)));
    const loads = (prefix: string) => requests.filter((r) => r.startsWith(prefix)).length;
    const before = loads('/api/duel/ratings');
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
    expect(loads('/api/duel/ratings')).toBe(before);

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
    expect(loads('/api/duel/ratings')).toBe(before + 1);
    expect(loads('/api/matches')).toBe(matchLoads + 1);
  });
});
