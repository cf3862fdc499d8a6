// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeLiveSocket } from '../../../tests/support/fakeLiveSocket.ts';
import { LeaderboardsPage } from './LeaderboardsPage.tsx';

const socket = vi.hoisted(() => ({ current: null as FakeLiveSocket | null }));

vi.mock('../live/liveConnection.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../live/liveConnection.ts')>();
  const { FakeLiveSocket: Fake } = await import('../../../tests/support/fakeLiveSocket.ts');
  socket.current = new Fake();
  const connection = new original.LiveConnection('/live', () => socket.current!);
  return { ...original, liveConnection: () => connection };
});

const row = (agentName: string, versionId: number, mean: number) => ({
  rank: 1,
  agentId: versionId,
  agentName,
  versionId,
  version: 1,
  owner: 'arena',
  kind: 'builtin',
  episodes: 30,
  mean,
  ci95: [mean - 1, mean + 1],
  median: mean,
  std: 1,
  min: mean - 2,
  max: mean + 2,
  failures: 0,
  normalisedScore: null,
});

let boards: unknown[];
let requests: string[];

beforeEach(() => {
  requests = [];
  boards = [
    { game: 'brick', baselines: null, rows: [row('random', 1, 6)] },
    { game: 'brick', baselines: null, rows: [row('scripted', 2, 90), row('random', 1, 6)] },
  ];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      requests.push(url);
      const body = url.startsWith('/api/games')
        ? {
            games: [
              {
                id: 'brick',
                title: 'Brick',
                romSha1: 'a',
                baselines: null,
                actions: [],
                players: 1,
              },
            ],
          }
        : url.startsWith('/api/leaderboards/brick')
          ? boards[Math.min(requests.filter((r) => r.startsWith(url)).length - 1, 1)]
          : {};
      return new Response(JSON.stringify(body), { status: 200 });
    }),
  );
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('LeaderboardsPage', () => {
  it("reloads a game's table when the server pushes a change of that game", async () => {
    render(
      <MemoryRouter initialEntries={['/leaderboards?game=brick']}>
        <LeaderboardsPage />
      </MemoryRouter>,
    );
    await screen.findByText('random');
    expect(screen.queryByText('scripted')).toBeNull();
    act(() => socket.current!.open());
    const loads = () => requests.filter((r) => r.startsWith('/api/leaderboards/brick')).length;
    const before = loads();

    // Another game's change does not reload this table.
    await act(async () =>
      socket.current!.deliver({
        type: 'leaderboard',
        game: 'duel',
        agentIds: [9],
        versionIds: [9],
        evaluationsEnded: [],
      }),
    );
    expect(loads()).toBe(before);

    await act(async () =>
      socket.current!.deliver({
        type: 'leaderboard',
        game: 'brick',
        agentIds: [2],
        versionIds: [2],
        evaluationsEnded: [2],
      }),
    );
    await screen.findByText('scripted');
    expect(loads()).toBe(before + 1);
  });
});
