/**
 * Leaderboards: one table per game (picked with tabs, kept in the URL as `?game=`), the
 * cross-game table of normalised scores, and Duel standings for two-player games. Tables reload
 * when the server pushes a leaderboard change of their game (live connection), with a slow poll
 * as a fallback that speeds up while the connection is down.
 */
import { Hourglass } from 'lucide-react';
import { useSearchParams } from 'react-router-dom';
import { getCrossGameTable, getLeaderboard, listGames } from '../api.ts';
import { Badge, Card, EmptyState, ErrorNote, Loading, Segmented } from '../components/ui.tsx';
import { CrossGameTable } from '../leaderboard/CrossGameTable.tsx';
import { DuelSection } from '../leaderboard/DuelSection.tsx';
import { LeaderboardTable } from '../leaderboard/LeaderboardTable.tsx';
import { useLeaderboardPush, usePollInterval } from '../live/hooks.ts';
import { usePolled } from '../usePolled.ts';

const ALL = 'all';

function GameBoard({ game }: { game: string }) {
  const board = usePolled(() => getLeaderboard(game), usePollInterval(), String(game));
  useLeaderboardPush((change) => change.game === game, board.reload);
  if (board.loading && !board.data) return <Loading label="Loading the leaderboard…" />;
  if (!board.data) return <ErrorNote error={board.error} />;
  const { rows, baselines } = board.data;
  return (
    <Card
      title={`Leaderboard · ${game}`}
      actions={
        baselines ? (
          <span className="field__hint">
            normalised: random {baselines.random.toFixed(1)} → 0, scripted{' '}
            {baselines.scripted.toFixed(1)} → 1
          </span>
        ) : undefined
      }
    >
      {rows.length === 0 ? (
        <EmptyState icon={<Hourglass />} title="No scores yet">
          Agents appear here as soon as their first evaluation episodes are recorded.
        </EmptyState>
      ) : (
        <LeaderboardTable rows={rows} game={game} />
      )}
    </Card>
  );
}

function AllGames() {
  const table = usePolled(getCrossGameTable, usePollInterval());
  useLeaderboardPush(() => true, table.reload);
  if (table.loading && !table.data) return <Loading label="Loading the cross-game table…" />;
  if (!table.data) return <ErrorNote error={table.error} />;
  return (
    <Card title="Across games · normalised scores">
      {table.data.rows.length === 0 ? (
        <EmptyState icon={<Hourglass />} title="No scores yet" />
      ) : (
        <CrossGameTable rows={table.data.rows} games={table.data.games} />
      )}
    </Card>
  );
}

export function LeaderboardsPage() {
  const games = usePolled(listGames, 0);
  const [params, setParams] = useSearchParams();
  const list = games.data ?? [];
  const selected = params.get('game') ?? list[0]?.id ?? ALL;
  const select = (id: string) => setParams({ game: id }, { replace: true });
  const current = list.find((g) => g.id === selected);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Leaderboards</h1>
          <p>
            Mean score over evaluation episodes with its 95% interval. Rank (UB) only puts an agent
            above another when the intervals say so.
          </p>
        </div>
        <Badge tone="good">updates live</Badge>
      </div>
      {games.loading && !games.data ? (
        <Loading label="Loading games…" />
      ) : games.error && !games.data ? (
        <ErrorNote error={games.error} />
      ) : list.length === 0 ? (
        <Card>
          <EmptyState title="No games on this server yet" />
        </Card>
      ) : (
        <>
          <Segmented
            legend="Game"
            options={[
              ...list.map((g) => ({ value: g.id, label: g.title })),
              { value: ALL, label: 'All games' },
            ]}
            value={selected}
            onChange={select}
          />
          {selected === ALL ? (
            <AllGames />
          ) : (
            <>
              <GameBoard game={selected} />
              {current && current.players >= 2 && <DuelSection game={selected} />}
            </>
          )}
        </>
      )}
    </>
  );
}
