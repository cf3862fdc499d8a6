/**
 * Watching one live room large: the screen with the agent's Q-values as bars under it (DQN
 * agents), score and lives, the pad, and both players for a Duel match. An evaluation (speed 0)
 * runs faster than real time and is shown as sampled frames.
 */
import { Flag } from 'lucide-react';
import { useEffect } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Badge, Card, EmptyState, formatNumber, Stat } from '../components/ui.tsx';
import { GameCanvas } from '../live/GameCanvas.tsx';
import { useLiveRooms, useRoom } from '../live/hooks.ts';
import { QValueBars } from '../live/QValueBars.tsx';
import { roomTitle } from './LivePage.tsx';

const END_TEXT = {
  terminated: 'Game over',
  truncated: 'Stopped at the frame cap',
  stopped: 'Stopped',
  error: 'Ended by an error',
} as const;

export function WatchPage() {
  const roomId = useParams().roomId ?? '';
  const navigate = useNavigate();
  const { rooms } = useLiveRooms();
  const snapshot = useRoom(roomId);
  const room = snapshot.room ?? rooms?.find((r) => r.roomId === roomId) ?? null;
  const { last, end } = snapshot;

  // A showcase that goes on in a new room: follow it, as a TV channel would.
  useEffect(() => {
    if (!end?.nextRoomId) return;
    const timer = setTimeout(
      () => navigate(`/live/${encodeURIComponent(end.nextRoomId ?? '')}`, { replace: true }),
      1500,
    );
    return () => clearTimeout(timer);
  }, [end, navigate]);

  if (rooms && !room && !end) {
    return (
      <Card>
        <EmptyState icon={<Flag />} title="This game is not running">
          It may have just ended. <Link to="/">See what is live now</Link>.
        </EmptyState>
      </Card>
    );
  }

  const players = last?.players ?? end?.players;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{room ? roomTitle(room) : 'Live game'}</h1>
          <p>
            {room?.game ?? ''}
            {room?.note ? ` · ${room.note}` : ''}
            {room && room.speed === 0
              ? ` · fast-forward, ${room.fps} sampled frames a second`
              : room && room.speed !== 1
                ? ` · ${room.speed}× speed`
                : ''}
          </p>
        </div>
        <div className="row">
          {end ? <Badge tone="neutral">ended</Badge> : <Badge tone="live">LIVE</Badge>}
          <Link to="/">All live games</Link>
        </div>
      </div>
      <div className="split">
        <Card>
          <GameCanvas
            roomId={roomId}
            className="watch-screen"
            label={room ? `${room.game} played by ${roomTitle(room)}` : 'live game screen'}
          />
          {last?.qValues && room && (
            <section className="qvalues" aria-label="What the network thinks">
              <h2 className="qvalues__title">
                What the network thinks <span className="field__hint">Q-value per action</span>
              </h2>
              <QValueBars actionNames={room.actionNames} qValues={last.qValues} />
            </section>
          )}
          {end && (
            <p className="note note--good" role="status">
              {END_TEXT[end.reason]} · final score {formatNumber(end.score, 0)} ·{' '}
              {formatNumber(end.frames, 0)} frames
              {end.nextRoomId ? ' · the next game starts in a moment…' : ''}
            </p>
          )}
        </Card>
        <div className="form">
          {room?.kind === 'match' && room.players.length === 2 && (
            <Card title="Duel">
              <div className="versus">
                <div>
                  <div className="live-tile__name">{room.players[0].name}</div>
                  <div className="versus__score">
                    {formatNumber(players?.[0]?.score ?? null, 0)}
                  </div>
                </div>
                <div className="versus__vs">VS</div>
                <div>
                  <div className="live-tile__name">{room.players[1].name}</div>
                  <div className="versus__score">
                    {formatNumber(players?.[1]?.score ?? null, 0)}
                  </div>
                </div>
              </div>
            </Card>
          )}
          <Card title="Now">
            <div className="stats">
              <Stat label="score" value={formatNumber(last?.score ?? end?.score ?? null, 0)} />
              {room?.kind !== 'match' && <Stat label="lives" value={last ? last.lives : '–'} />}
              <Stat
                label="step"
                value={formatNumber(last?.step ?? null, 0)}
                hint="agent decisions"
              />
            </div>
            <p className="hud">
              pad <span className="pad">{last?.action ?? '–'}</span>
            </p>
          </Card>
          {room && (
            <Card title="Players">
              <ul className="plain-list">
                {room.players.map((p) => (
                  <li key={p.name}>
                    <strong>{p.name}</strong> <Badge>{p.agentKind}</Badge>
                  </li>
                ))}
              </ul>
            </Card>
          )}
        </div>
      </div>
    </>
  );
}
