// @vitest-environment jsdom
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LeaderboardMessage } from '../../../server/protocol/live.ts';
import { FakeLiveSocket } from '../../../tests/support/fakeLiveSocket.ts';
import { PUSHED_POLL_MS, UNPUSHED_POLL_MS, useLeaderboardPush, usePollInterval } from './hooks.ts';
import { LiveConnection } from './liveConnection.ts';

afterEach(cleanup);

const change = (game: string, agentIds: number[] = [1]): LeaderboardMessage => ({
  type: 'leaderboard',
  game,
  agentIds,
  versionIds: agentIds,
  evaluationsEnded: [],
});

function Probe(props: { connection: LiveConnection; game: string; onChange: () => void }) {
  const pollMs = usePollInterval(props.connection);
  useLeaderboardPush((c) => c.game === props.game, props.onChange, props.connection);
  return <output>{pollMs}</output>;
}

describe('leaderboard push in the dashboard', () => {
  it('calls back for matching changes only and polls slowly while connected', () => {
    const socket = new FakeLiveSocket();
    const connection = new LiveConnection('/live', () => socket);
    const onChange = vi.fn();
    const { container, rerender } = render(
      <Probe connection={connection} game="brick" onChange={onChange} />,
    );
    expect(container.textContent).toBe(String(UNPUSHED_POLL_MS));
    act(() => socket.open());
    expect(container.textContent).toBe(String(PUSHED_POLL_MS));

    act(() => socket.deliver(change('brick')));
    act(() => socket.deliver(change('duel')));
    expect(onChange).toHaveBeenCalledTimes(1);
    // A malformed message is dropped by the protocol's validation.
    act(() => socket.deliver({ type: 'leaderboard', game: 'brick', agentIds: 'all' }));
    expect(onChange).toHaveBeenCalledTimes(1);

    // The page switched games: the newest filter applies.
    rerender(<Probe connection={connection} game="duel" onChange={onChange} />);
    act(() => socket.deliver(change('duel')));
    expect(onChange).toHaveBeenCalledTimes(2);

    act(() => socket.close());
    expect(container.textContent).toBe(String(UNPUSHED_POLL_MS));
  });

  it('stops listening when unmounted', () => {
    const socket = new FakeLiveSocket();
    const connection = new LiveConnection('/live', () => socket);
    const onChange = vi.fn();
    const { unmount } = render(<Probe connection={connection} game="brick" onChange={onChange} />);
    act(() => socket.open());
    unmount();
    socket.deliver(change('brick'));
    expect(onChange).not.toHaveBeenCalled();
  });
});
