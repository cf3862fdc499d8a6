/**
 * Duel: the head-to-head standings of the two-player game. Ratings with their 95% intervals and
 * Rank (UB), a heatmap of pairwise win rates, and the latest matches (each opens its replay).
 * Everything reloads when the server pushes a recorded match, with a slow poll as the fallback.
 */
import { Hourglass, Swords } from 'lucide-react';
import { useMemo } from 'react';
import { getDuelTable, listMatches } from '../api.ts';
import { pairwiseWinRates, winRateHeatmapSpec } from '../charts/specs.ts';
import { VegaChart } from '../charts/VegaChart.tsx';
import { Badge, Card, EmptyState, ErrorNote, Loading, Stat } from '../components/ui.tsx';
import { DuelRatingsTable } from '../duel/DuelRatingsTable.tsx';
import { MatchList } from '../duel/MatchList.tsx';
import { sideName } from '../duel/names.ts';
import { useLeaderboardPush, usePollInterval } from '../live/hooks.ts';
import { usePolled } from '../usePolled.ts';

const RECENT = 15;

export function DuelPage() {
  const pollMs = usePollInterval();
  const table = usePolled(() => getDuelTable(), pollMs);
  const game = table.data?.game ?? '';
  const matches = usePolled(
    () => (game ? listMatches({ game, limit: 1000 }) : Promise.resolve(null)),
    pollMs,
    game,
  );
  // The server says when a match was recorded (and the ratings refitted).
  useLeaderboardPush(
    (change) => change.game === game,
    () => {
      table.reload();
      matches.reload();
    },
  );
  const heatmap = useMemo(() => {
    const played = matches.data ?? [];
    return played.length > 0
      ? winRateHeatmapSpec(pairwiseWinRates(played, (_id, m, side) => sideName(m, side)))
      : null;
  }, [matches.data]);

  const head = (
    <div className="page-head">
      <div>
        <h1>Duel</h1>
        <p>
          Agents play each other, each pairing on both sides from the same seed; controller 2 sees
          the court mirrored. Ratings are Bradley–Terry strengths fitted to every result, as on
          LMSYS's Chatbot Arena, on the Elo scale with the scripted agent at 1000; the built-in
          computer is rated at its three levels.
        </p>
      </div>
      {table.data &&
        (table.data.final ? (
          <Badge tone="good">
            final · {table.data.resamples.toLocaleString('en-US')} resamples
          </Badge>
        ) : (
          <Badge tone="live">updating · {table.data.resamples} resamples</Badge>
        ))}
    </div>
  );

  if (table.loading && table.data === undefined) return <Loading label="Loading Duel ratings…" />;
  if (table.data === undefined) {
    return (
      <>
        {head}
        <ErrorNote error={table.error} />
      </>
    );
  }
  if (table.data === null) {
    return (
      <>
        {head}
        <Card>
          <EmptyState icon={<Swords />} title="This server plays no head-to-head matches" />
        </Card>
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
          <MatchList matches={recent} caption="Recent Duel matches" />
        )}
      </Card>
    </>
  );
}
