/** Recent matches, newest first: both players (controller 1 on the left), the points and who won. */
import { Link } from 'react-router-dom';
import type { Match } from '../api.ts';
import { formatNumber, Table } from '../components/ui.tsx';
import { resultText, sideName } from './names.ts';

function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function MatchList({ matches, caption }: { matches: Match[]; caption: string }) {
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <th scope="col">Match</th>
          <th scope="col">Left (controller 1)</th>
          <th scope="col" className="num">
            Points
          </th>
          <th scope="col">Right (controller 2)</th>
          <th scope="col">Result</th>
          <th scope="col">Played</th>
        </tr>
      </thead>
      <tbody>
        {matches.map((m) => (
          <tr key={m.id} data-match={m.id}>
            <td>
              <Link to={`/matches/${m.id}`} aria-label={`match ${m.id}: watch the replay`}>
                #{m.id}
              </Link>
            </td>
            <td>{m.outcome === 'a' ? <strong>{sideName(m, 'a')}</strong> : sideName(m, 'a')}</td>
            <td className="num">
              {formatNumber(m.scoreA, 0)} : {formatNumber(m.scoreB, 0)}
            </td>
            <td>{m.outcome === 'b' ? <strong>{sideName(m, 'b')}</strong> : sideName(m, 'b')}</td>
            <td>{resultText(m)}</td>
            <td className="field__hint">{when(m.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
