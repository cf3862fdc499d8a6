/** Live (home): every game running now as a small live screen; click one to watch it large. */
import { WifiOff } from 'lucide-react';
import { Link, useNavigate } from 'react-router-dom';
import type { LiveRoomInfo } from '../../../server/protocol/live.ts';
import { Badge, Card, EmptyState, formatNumber, Loading } from '../components/ui.tsx';
import { GameCanvas } from '../live/GameCanvas.tsx';
import { useLiveRooms, useRoom } from '../live/hooks.ts';

/** "dqn-nature" for an episode, "a vs b" for a match. */
export function roomTitle(room: LiveRoomInfo): string {
  return room.players.map((p) => p.name).join(' vs ') || room.game;
}

function LiveTile({ room }: { room: LiveRoomInfo }) {
  const navigate = useNavigate();
  const { last } = useRoom(room.roomId);
  const title = roomTitle(room);
  return (
    <button
      type="button"
      className="live-tile"
      onClick={() => navigate(`/live/${encodeURIComponent(room.roomId)}`)}
      aria-label={`Watch ${title} playing ${room.game}`}
      data-room={room.roomId}
    >
      <GameCanvas roomId={room.roomId} label={`${room.game} played by ${title}`} />
      <div className="live-tile__meta">
        <span className="live-tile__name">{title}</span>
        <span className="row">
          {room.kind === 'match' && <Badge tone="accent">Duel</Badge>}
          {room.speed === 0 && <Badge tone="accent">evaluation</Badge>}
          <Badge tone="neutral">{room.game}</Badge>
        </span>
      </div>
      {room.note && <div className="live-tile__note">{room.note}</div>}
      <div className="hud">
        {last?.players && last.players.length === 2 ? (
          <span>
            <strong>{formatNumber(last.players[0].score, 0)}</strong> :{' '}
            <strong>{formatNumber(last.players[1].score, 0)}</strong>
          </span>
        ) : (
          <span>
            score <strong>{formatNumber(last?.score ?? null, 0)}</strong>
          </span>
        )}
        {room.kind !== 'match' && (
          <span>
            lives <strong>{last ? last.lives : '–'}</strong>
          </span>
        )}
        <span>
          pad <span className="pad">{last?.action ?? '–'}</span>
        </span>
      </div>
    </button>
  );
}

export function LivePage() {
  const { rooms, status } = useLiveRooms();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Live now</h1>
          <p>Agents playing NES games from raw pixels, streamed frame by frame.</p>
        </div>
        {status === 'open' ? (
          <Badge tone="live">LIVE</Badge>
        ) : (
          <Badge tone={status === 'closed' ? 'bad' : 'neutral'}>
            {status === 'closed' ? 'offline' : 'connecting'}
          </Badge>
        )}
      </div>
      {rooms === null ? (
        status === 'closed' ? (
          <Card>
            <EmptyState icon={<WifiOff />} title="The live stream is not reachable">
              The arena server is not streaming right now; this page reconnects by itself.
              Meanwhile, see the <Link to="/leaderboards">leaderboards</Link>.
            </EmptyState>
          </Card>
        ) : (
          <Loading label="Connecting to the arena…" />
        )
      ) : rooms.length === 0 ? (
        <Card>
          <EmptyState title="No games running right now">
            Games appear here as soon as an evaluation or a match starts.{' '}
            <Link to="/submit">Submit an agent</Link> to start one.
          </EmptyState>
        </Card>
      ) : (
        <section className="grid" aria-label="Live games">
          {rooms.map((room) => (
            <LiveTile key={room.roomId} room={room} />
          ))}
        </section>
      )}
    </>
  );
}
