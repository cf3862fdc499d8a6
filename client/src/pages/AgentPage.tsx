/**
 * An agent: its versions, the selected version's statistics, score charts (distribution and score
 * over episodes), its training curve when it came with a training log, its head-to-head matches
 * and every episode with its outcome code and reason. Reloads when the server pushes a leaderboard
 * change of this agent (its evaluation recorded episodes), with a slow poll as a fallback.
 */
import { Gamepad2, Hourglass } from 'lucide-react';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { type Episode, getAgent, getTrainingLog, listEpisodes, listMatches } from '../api.ts';
import {
  scoreHistogramSpec,
  scoreOverEpisodesSpec,
  trainingCurveSpec,
  trainingPoints,
} from '../charts/specs.ts';
import { VegaChart } from '../charts/VegaChart.tsx';
import {
  Badge,
  Card,
  EmptyState,
  ErrorNote,
  formatNumber,
  Loading,
  Stat,
  Table,
} from '../components/ui.tsx';
import { matchSideName } from '../leaderboard/DuelSection.tsx';
import { useLeaderboardPush, useLiveRooms, usePollInterval } from '../live/hooks.ts';
import { usePolled } from '../usePolled.ts';

const POLL_MS = 4000;

const OUTCOME_TEXT: Record<Episode['outcome'], string> = {
  OK: 'finished normally',
  TIMEOUT: 'the agent took too long to answer',
  DISCONNECT: 'the agent disconnected',
  INVALID_ACTION: 'the agent chose an action the game does not have',
  PROTOCOL_ERROR: 'the agent broke the protocol',
};

function EpisodesTable({ episodes }: { episodes: Episode[] }) {
  const ordered = [...episodes].sort((a, b) => a.id - b.id);
  return (
    <Table caption="Episodes">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col" className="num">
            Score
          </th>
          <th scope="col" className="num">
            Frames
          </th>
          <th scope="col">Outcome</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {ordered.map((e, i) => (
          <tr key={e.id}>
            <td>{i + 1}</td>
            <td className="num">
              <strong>{formatNumber(e.score)}</strong>
            </td>
            <td className="num">{formatNumber(e.frames, 0)}</td>
            <td>
              <Badge tone={e.outcome === 'OK' ? 'good' : 'bad'}>{e.outcome}</Badge>
            </td>
            <td className="field__hint" style={{ whiteSpace: 'normal' }}>
              {e.reason ?? OUTCOME_TEXT[e.outcome]}
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function TrainingCurve({ versionId }: { versionId: number }) {
  const log = usePolled(() => getTrainingLog(versionId), 0, String(versionId));
  const spec = useMemo(() => {
    const points = log.data ? trainingPoints(log.data) : [];
    return points.length > 0 ? trainingCurveSpec(points) : null;
  }, [log.data]);
  if (!spec || !log.data) return null;
  const { lines, invalidLines, thinned, best } = log.data;
  return (
    <Card
      title="Training curve"
      actions={
        <span className="field__hint">
          from training-log.jsonl · {lines} lines
          {invalidLines > 0 ? ` · ${invalidLines} unreadable left out` : ''}
          {thinned ? ' · thinned to 1000 points a series' : ''}
          {best ? ` · best agent kept at step ${best.step.toLocaleString('en')}` : ''}
          {log.data.averageEvaluations.length > 0
            ? " · green: the run's weight average, evaluated beside it"
            : ''}
        </span>
      }
    >
      <VegaChart
        spec={spec}
        label="Score during training by agent step: episode returns, their mean of 100, and evaluations with 95% intervals; a diamond marks the evaluation of the agent the run kept as its best; a second line, where present, the evaluations of the run's weight average"
      />
    </Card>
  );
}

function Matches({ agentId }: { agentId: number }) {
  const matches = usePolled(() => listMatches({ agentId }), POLL_MS, String(agentId));
  if (!matches.data || matches.data.length === 0) return null;
  return (
    <Card title="Head-to-head matches">
      <Table caption="Matches">
        <thead>
          <tr>
            <th scope="col">Player 1</th>
            <th scope="col" className="num">
              Score
            </th>
            <th scope="col">Player 2</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {matches.data.map((m) => (
            <tr key={m.id}>
              <td>{matchSideName(m, 'a')}</td>
              <td className="num">
                <Link to={`/matches/${m.id}`} title="watch the replay">
                  {formatNumber(m.scoreA, 0)} : {formatNumber(m.scoreB, 0)}
                </Link>
              </td>
              <td>{matchSideName(m, 'b')}</td>
              <td>
                <Badge tone={m.outcome === 'draw' ? 'neutral' : 'accent'}>
                  {m.outcome === 'draw' ? 'draw' : `${matchSideName(m, m.outcome)} won`}
                </Badge>
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </Card>
  );
}

export function AgentPage() {
  const id = Number(useParams().id);
  const pollMs = usePollInterval();
  const details = usePolled(() => getAgent(id), pollMs, String(id));
  const [picked, setPicked] = useState<number | null>(null);
  const versions = details.data?.versions ?? [];
  const version =
    versions.find((v) => v.id === picked) ??
    versions.reduce<(typeof versions)[number] | undefined>(
      (latest, v) => (!latest || v.version > latest.version ? v : latest),
      undefined,
    );
  const episodes = usePolled(
    () => (version ? listEpisodes(version.id) : Promise.resolve([])),
    pollMs,
    String(version?.id),
  );
  const { reload: reloadDetails } = details;
  const { reload: reloadEpisodes } = episodes;
  useLeaderboardPush(
    (change) => change.agentIds.includes(id),
    () => {
      reloadDetails();
      reloadEpisodes();
    },
  );
  const scores = useMemo(() => (episodes.data ?? []).map((e) => e.score), [episodes.data]);
  const histogram = useMemo(() => scoreHistogramSpec(scores), [scores]);
  const overTime = useMemo(() => scoreOverEpisodesSpec(episodes.data ?? []), [episodes.data]);
  const { rooms } = useLiveRooms();

  if (!Number.isInteger(id) || id < 1) return <ErrorNote error={new Error('not an agent id')} />;
  if (details.loading && !details.data) return <Loading label="Loading the agent…" />;
  if (!details.data) return <ErrorNote error={details.error} />;
  const { agent, owner } = details.data;
  const stats = version?.stats ?? null;
  const liveRoom = rooms?.find(
    (r) => r.game === agent.gameId && r.players.some((p) => p.name === agent.name),
  );
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{agent.name}</h1>
          <p>
            by {owner.name} · plays{' '}
            <Link to={`/leaderboards?game=${agent.gameId}`}>{agent.gameId}</Link> ·{' '}
            <Badge>{agent.kind}</Badge>
          </p>
        </div>
        {liveRoom && (
          <Link to={`/live/${encodeURIComponent(liveRoom.roomId)}`}>
            <Badge tone="live">playing now · watch</Badge>
          </Link>
        )}
        {versions.length > 1 && (
          <label className="field">
            Version
            <select value={version?.id} onChange={(e) => setPicked(Number(e.target.value))}>
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  v{v.version} · {new Date(v.createdAt).toLocaleDateString()}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <Card title={version ? `Version ${version.version}` : 'No versions'}>
        {stats ? (
          <div className="stats">
            <Stat label="mean" value={formatNumber(stats.mean)} />
            <Stat
              label="95% interval"
              value={
                stats.ci95 ? `${formatNumber(stats.ci95[0])} – ${formatNumber(stats.ci95[1])}` : '–'
              }
            />
            <Stat label="median" value={formatNumber(stats.median)} />
            <Stat label="best" value={formatNumber(stats.max)} />
            <Stat label="episodes" value={stats.episodes} />
            <Stat label="failed" value={stats.failures} hint="episodes that did not end normally" />
          </div>
        ) : (
          <EmptyState icon={<Hourglass />} title="Not evaluated yet">
            Its evaluation episodes will show up here as they finish.
          </EmptyState>
        )}
      </Card>
      {scores.length > 0 && (
        <div
          className="split"
          style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(300px, 1fr))' }}
        >
          <Card title="Score distribution">
            <VegaChart spec={histogram} label="Histogram of episode scores" />
          </Card>
          <Card title="Score over episodes">
            <VegaChart spec={overTime} label="Score of each episode and the running mean" />
          </Card>
        </div>
      )}
      {version && <TrainingCurve versionId={version.id} />}
      <Matches agentId={agent.id} />
      <Card title="Episodes">
        {episodes.data && episodes.data.length > 0 ? (
          <EpisodesTable episodes={episodes.data} />
        ) : episodes.loading ? (
          <Loading />
        ) : (
          <EmptyState icon={<Gamepad2 />} title="No episodes yet" />
        )}
      </Card>
    </>
  );
}
