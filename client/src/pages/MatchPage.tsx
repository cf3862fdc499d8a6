/**
 * One recorded match: both players, the points and how it ended, and its replay on a canvas.
 * The server plays the recorded controller bytes back into a live room (`POST /matches/:id/watch`)
 * and the page draws that room like any live game, with both players' scores as they went.
 */
import { Ghost } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { getMatch, type MatchDetails, watchMatch } from '../api.ts';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorNote,
  formatNumber,
  Loading,
  Segmented,
  Stat,
} from '../components/ui.tsx';
import { playerName, resultText } from '../duel/names.ts';
import { GameCanvas } from '../live/GameCanvas.tsx';
import { useRoom } from '../live/hooks.ts';
import { usePolled } from '../usePolled.ts';

type Speed = 1 | 2 | 4;

function ReplayScreen({ roomId, match }: { roomId: string; match: MatchDetails }) {
  const { last, end } = useRoom(roomId);
  const players = last?.players ?? end?.players;
  const names = match.players.map((p) => playerName(p));
  return (
    <>
      <div className="versus">
        {names.map((name, i) => (
          <div key={name}>
            <div className="live-tile__name">{name}</div>
            <div className="versus__score" data-side={i + 1}>
              {formatNumber(players?.[i]?.score ?? null, 0)}
            </div>
          </div>
        ))}
      </div>
      <GameCanvas
        roomId={roomId}
        className="watch-screen"
        label={`Replay of match ${match.id}: ${names[0]} (left) against ${names[1]} (right)`}
      />
      <p className="hud" role="status">
        {end ? 'Replay over' : last ? `frame ${formatNumber(last.episodeFrame, 0)}` : 'starting…'}
      </p>
    </>
  );
}

export function MatchPage() {
  const id = Number(useParams().id);
  const valid = Number.isSafeInteger(id) && id > 0;
  const match = usePolled(
    () => (valid ? getMatch(id) : Promise.reject(new Error('no such match'))),
    0,
    String(id),
  );
  const [speed, setSpeed] = useState<Speed>(1);
  const [attempt, setAttempt] = useState(0);
  const [room, setRoom] = useState<{ roomId: string; attempt: number } | null>(null);
  const [watchError, setWatchError] = useState<unknown>(null);

  useEffect(() => {
    if (!valid) return;
    let cancelled = false;
    setWatchError(null);
    watchMatch(id, speed).then(
      (r) => !cancelled && setRoom({ roomId: r.roomId, attempt }),
      (error: unknown) => !cancelled && setWatchError(error),
    );
    return () => {
      cancelled = true;
    };
  }, [id, valid, speed, attempt]);

  if (!valid) {
    return (
      <Card>
        <EmptyState icon={<Ghost />} title="No such match">
          <Link to="/matches">Back to the matches</Link>
        </EmptyState>
      </Card>
    );
  }
  if (match.loading && !match.data) return <Loading label="Loading the match…" />;
  if (!match.data) return <ErrorNote error={match.error} />;
  const m = match.data;
  const [left, right] = m.players.map((p) => playerName(p));
  return (
    <>
      <div className="page-head">
        <div>
          <h1>
            {left} vs {right}
          </h1>
          <p>
            Match #{m.id} of {m.gameId} · {left} on controller 1 (left), {right} on controller 2
            (right)
          </p>
        </div>
        <div className="row">
          <Badge tone={m.outcome === 'draw' ? 'neutral' : 'good'}>{resultText(m)}</Badge>
          <Link to={`/matches?game=${encodeURIComponent(m.gameId)}`}>All matches</Link>
        </div>
      </div>
      <div className="split">
        <Card
          title="Replay"
          actions={
            <Segmented
              legend="Replay speed"
              options={[
                { value: '1', label: '1×' },
                { value: '2', label: '2×' },
                { value: '4', label: '4×' },
              ]}
              value={String(speed)}
              onChange={(v) => setSpeed(Number(v) as Speed)}
            />
          }
        >
          {watchError ? (
            <ErrorNote error={watchError} />
          ) : room ? (
            <ReplayScreen key={`${room.roomId}:${room.attempt}`} roomId={room.roomId} match={m} />
          ) : (
            <Loading label="Starting the replay…" />
          )}
          <Button onClick={() => setAttempt((a) => a + 1)}>Play from the start</Button>
        </Card>
        <div className="form">
          <Card title="Result">
            <div className="stats">
              <Stat label={left} value={formatNumber(m.scoreA, 0)} />
              <Stat label={right} value={formatNumber(m.scoreB, 0)} />
              <Stat
                label="frames"
                value={formatNumber(m.frames, 0)}
                hint="NES frames, 60 a second"
              />
            </div>
            {m.truncated && (
              <p className="note note--warn">
                Stopped at the frame cap before either player reached 21: the points decide.
              </p>
            )}
            {m.forfeit && (
              <p className="note note--bad">
                Player {m.forfeit.side} forfeited ({m.forfeit.code}): {m.forfeit.reason}
              </p>
            )}
          </Card>
          <Card title="Players">
            <ul className="plain-list">
              {m.players.map((p, i) => (
                <li key={p.versionId}>
                  <strong>{i === 0 ? 'Left' : 'Right'}:</strong>{' '}
                  {p.agentId ? (
                    <Link to={`/agents/${p.agentId}`}>{playerName(p)}</Link>
                  ) : (
                    playerName(p)
                  )}{' '}
                  {p.computerLevel ? (
                    <Badge tone="accent">computer · {p.computerLevel}</Badge>
                  ) : null}
                </li>
              ))}
            </ul>
          </Card>
          <Card title="Reproduce it">
            <p className="field__hint">
              Seed {m.seed ?? '–'}. The replay holds both controllers' buttons for every frame;
              pressing them on a fresh game from its seed gives these exact points.
            </p>
            {m.replayUrl && (
              <a href={m.replayUrl} className="mono">
                replay JSON
              </a>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
