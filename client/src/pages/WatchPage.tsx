/** Watching one live room large: the screen, score and lives, the pad, Q-values, Duel scores. */
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
        <EmptyState icon="🏁" title="This game is not running">
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
            {room?.game ?? ''} {room && room.speed !== 1 ? `· ${room.speed}× speed` : ''}
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
          {last?.qValues && room && (
            <Card title="What the network thinks (Q-values)">
              <QValueBars actionNames={room.actionNames} qValues={last.qValues} />
            </Card>
          )}
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
