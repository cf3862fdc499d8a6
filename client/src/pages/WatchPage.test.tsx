// @vitest-environment jsdom
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameEncoder, type LiveRoomInfo } from '../../../server/protocol/live.ts';
import type { FakeLiveSocket } from '../../../tests/support/fakeLiveSocket.ts';
import { WatchPage } from './WatchPage.tsx';

const socket = vi.hoisted(() => ({ current: null as FakeLiveSocket | null }));

vi.mock('../live/liveConnection.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../live/liveConnection.ts')>();
  const { FakeLiveSocket: Fake } = await import('../../../tests/support/fakeLiveSocket.ts');
  socket.current = new Fake();
  const connection = new original.LiveConnection('/live', () => socket.current!);
  return { ...original, liveConnection: () => connection };
});

afterEach(cleanup);

const ROOM: LiveRoomInfo = {
  roomId: 'eval-4-0',
  game: 'brick',
  kind: 'episode',
  players: [{ name: 'tiny v1', agentKind: 'dqn' }],
  actionNames: ['NOOP', 'FIRE', 'RIGHT', 'LEFT'],
  fps: 30,
  speed: 0,
  startedAt: 0,
  note: 'evaluation · episode 1 of 30',
};

describe('WatchPage', () => {
  it("draws the agent's Q-values as bars under the screen, the best one marked", async () => {
    render(
      <MemoryRouter initialEntries={['/live/eval-4-0']}>
        <Routes>
          <Route path="/live/:roomId" element={<WatchPage />} />
        </Routes>
      </MemoryRouter>,
    );
    const fake = socket.current!;
    act(() => fake.open());
    expect(fake.sent).toContainEqual({ type: 'join', roomId: 'eval-4-0' });
    const encoder = new FrameEncoder({ width: 256, height: 240 });
    const frame = encoder.encodeKey(new Uint8Array(256 * 240).fill(0x21), 0);
    await act(async () => {
      fake.deliver({ type: 'rooms', rooms: [ROOM] });
      fake.deliver({ type: 'joined', room: ROOM });
      fake.deliver({
        type: 'frame',
        roomId: ROOM.roomId,
        frame,
        step: 12,
        episodeFrame: 48,
        score: 3,
        lives: 2,
        action: 'FIRE',
        qValues: [0.25, 1.5, -0.5, 0.75],
      });
    });
    const bars = await screen.findByRole('region', { name: 'What the network thinks' });
    // Under the screen: in the same card as the canvas.
    const canvas = screen.getByRole('img', { name: /brick played by tiny v1/ });
    expect(canvas.closest('.card')).toBe(bars.closest('.card'));
    const items = within(bars).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.qbar__name')?.textContent)).toEqual(
      ROOM.actionNames,
    );
    expect(items[1].className).toContain('qbar--best');
    expect(items.map((li) => li.querySelector('.qbar__value')?.textContent)).toEqual([
      '0.25',
      '1.50',
      '-0.50',
      '0.75',
    ]);
    expect(screen.getByText(/evaluation · episode 1 of 30/)).toBeTruthy();
    expect(screen.getByText(/fast-forward, 30 sampled frames a second/)).toBeTruthy();
  });
});
