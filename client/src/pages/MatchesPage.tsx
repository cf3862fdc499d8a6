/**
 * Matches: head-to-head play in the two-player games, one game at a time (picked with tabs when
 * there are several, kept in the URL as `?game=`). Ratings with their 95% intervals and Rank (UB),
 * a heatmap of pairwise win rates, and the latest matches (each opens its replay). Everything
 * reloads when the server pushes a recorded match of the game, with a slow poll as the fallback.
 */
import { Hourglass, Swords } from 'lucide-react';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import { type Game, getRatings, listGames, listMatches } from '../api.ts';
import { VegaChart } from '../charts/VegaChart.tsx';
import { Badge, Card, EmptyState, ErrorNote, Loading, Segmented, Stat } from '../components/ui.tsx';
import { DuelRatingsTable } from '../duel/DuelRatingsTable.tsx';
import { MatchList } from '../duel/MatchList.tsx';
import { useWinRateHeatmap } from '../duel/useWinRateHeatmap.ts';
import { useLeaderboardPush, usePollInterval } from '../live/hooks.ts';
import { usePolled } from '../usePolled.ts';

const RECENT = 15;

function PageHead({ game, badge }: { game?: Game; badge?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1>Matches</h1>
        <p>
          {game ? `Head-to-head matches of ${game.title}: agents` : 'Agents'} play each other, each
          pairing on both sides from the same seed; controller 2 sees the court mirrored. Ratings
          are Bradley–Terry strengths fitted to every result, as on LMSYS's Chatbot Arena, on the
          Elo scale with the scripted agent at 1000; the built-in computer is rated at its three
          levels.
        </p>
      </div>
      {badge}
    </div>
  );
}

/** One game's ratings, win rates and recent matches. */
function GameMatches({ game, picker }: { game: Game; picker: ReactNode }) {
  const pollMs = usePollInterval();
  const table = usePolled(() => getRatings(game.id), pollMs, game.id);
  const matches = usePolled(() => listMatches({ game: game.id, limit: 1000 }), pollMs, game.id);
  // The server says when a match was recorded (and the ratings refitted).
  useLeaderboardPush(
    (change) => change.game === game.id,
    () => {
      table.reload();
      matches.reload();
    },
  );
  const heatmap = useWinRateHeatmap(matches.data);

  const badge =
    table.data &&
    (table.data.final ? (
      <Badge tone="good">final · {table.data.resamples.toLocaleString('en-US')} resamples</Badge>
    ) : (
      <Badge tone="live">updating · {table.data.resamples} resamples</Badge>
    ));
  const head = (
    <>
      <PageHead game={game} badge={badge} />
      {picker}
    </>
  );
  if (table.loading && table.data === undefined) {
    return (
      <>
        {head}
        <Loading label={`Loading the ratings of ${game.title}…`} />
      </>
    );
  }
  if (table.data === undefined) {
    return (
      <>
        {head}
        <ErrorNote error={table.error} />
      </>
    );
  }
  const { ratings } = table.data;
  const recent = (matches.data ?? []).slice(0, RECENT);
  return (
    <>
      {head}
      <div className="stats">
        <Stat label="matches" value={table.data.matches.toLocaleString('en-US')} />
        <Stat label="rated players" value={ratings.length} />
        <Stat
          label="anchor"
          value={table.data.anchor?.agentName ?? '–'}
          hint="the player whose rating is fixed at 1000"
        />
      </div>
      <Card title="Ratings">
        {ratings.length === 0 ? (
          <EmptyState icon={<Swords />} title="No matches yet">
            Ratings appear as soon as the first matches end.
          </EmptyState>
        ) : (
          <DuelRatingsTable rows={ratings} game={table.data.game} />
        )}
      </Card>
      {heatmap && (
        <Card title="Head to head: win rates">
          <VegaChart
            spec={heatmap}
            label="Share of matches each player (rows) won against each opponent (columns), a draw counting half"
            height={300}
          />
        </Card>
      )}
      <Card title="Recent matches">
        {recent.length === 0 ? (
          <EmptyState icon={<Hourglass />} title="No matches yet" />
        ) : (
          <MatchList matches={recent} caption={`Recent matches of ${game.id}`} />
        )}
      </Card>
    </>
  );
}

export function MatchesPage() {
  const games = usePolled(listGames, 0);
  const [params, setParams] = useSearchParams();
  const twoPlayer = (games.data ?? []).filter((g) => g.players >= 2);
  const game = twoPlayer.find((g) => g.id === params.get('game')) ?? twoPlayer[0];

  if (games.loading && !games.data) return <Loading label="Loading games…" />;
  if (!games.data) {
    return (
      <>
        <PageHead />
        <ErrorNote error={games.error} />
      </>
    );
  }
  if (!game) {
    return (
      <>
        <PageHead />
        <Card>
          <EmptyState icon={<Swords />} title="This server plays no head-to-head matches" />
        </Card>
      </>
    );
  }
  const picker =
    twoPlayer.length > 1 ? (
      <Segmented
        legend="Game"
        options={twoPlayer.map((g) => ({ value: g.id, label: g.title }))}
        value={game.id}
        onChange={(id) => setParams({ game: id }, { replace: true })}
      />
    ) : null;
  return <GameMatches key={game.id} game={game} picker={picker} />;
}
