/** An uploaded version's evaluation as it runs: job state, episodes recorded, its live room. */
import { Link } from 'react-router-dom';
import { getJob, getVersion, type JobState, type UploadResponse } from '../api.ts';
import { Badge, type BadgeTone, formatNumber, Stat } from '../components/ui.tsx';
import { useLiveRooms } from '../live/hooks.ts';
import { usePolled } from '../usePolled.ts';

const POLL_MS = 2000;

const STATE_TONE: Record<JobState, BadgeTone> = {
  queued: 'neutral',
  running: 'accent',
  completed: 'good',
  failed: 'bad',
};

export function EvaluationProgress({ upload }: { upload: UploadResponse }) {
  const job = usePolled(() => getJob(upload.job.id), POLL_MS, String(upload.job.id));
  const version = usePolled(
    () => getVersion(upload.version.id),
    POLL_MS,
    String(upload.version.id),
  );
  const { rooms } = useLiveRooms();
  const state = job.data?.state ?? upload.job.state;
  const evaluation = version.data?.evaluation;
  const stats = version.data?.stats;
  const room = rooms?.find(
    (r) => r.game === upload.agent.gameId && r.players.some((p) => p.name === upload.agent.name),
  );
  const share = evaluation ? Math.min(1, evaluation.recorded / evaluation.episodes) : 0;
  return (
    <div className="form" data-testid="evaluation" aria-live="polite">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <span className="row">
          <strong>{upload.agent.name}</strong> <Badge>v{upload.version.version}</Badge>
          <Badge tone={STATE_TONE[state]}>{state}</Badge>
        </span>
        <span className="row">
          {room && (
            <Link to={`/live/${encodeURIComponent(room.roomId)}`}>
              <Badge tone="live">watch live</Badge>
            </Link>
          )}
          <Link to={`/agents/${upload.agent.id}`}>agent page →</Link>
        </span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label="Evaluation episodes recorded"
        aria-valuemin={0}
        aria-valuemax={evaluation?.episodes ?? 0}
        aria-valuenow={evaluation?.recorded ?? 0}
      >
        <div className="progress__fill" style={{ width: `${share * 100}%` }} />
      </div>
      <div className="stats">
        <Stat
          label="episodes"
          value={evaluation ? `${evaluation.recorded} / ${evaluation.episodes}` : '–'}
        />
        <Stat label="mean so far" value={formatNumber(stats?.mean ?? null)} />
        <Stat label="best" value={formatNumber(stats?.max ?? null)} />
      </div>
      {job.data?.state === 'failed' && job.data.lastError && (
        <div className="note note--bad" role="alert">
          The evaluation failed: {job.data.lastError}
        </div>
      )}
    </div>
  );
}
