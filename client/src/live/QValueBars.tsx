/**
 * A DQN agent's action values at its last decision, one horizontal bar per action, the chosen
 * (greedy) action highlighted. Bars share a scale from the smallest to the largest value shown,
 * so differences between actions are visible even when all values are close.
 */
export interface QValueBarsProps {
  actionNames: string[];
  qValues: number[];
}

export function QValueBars({ actionNames, qValues }: QValueBarsProps) {
  if (qValues.length === 0) return null;
  const low = Math.min(0, ...qValues);
  const high = Math.max(...qValues);
  const span = high - low || 1;
  const best = qValues.indexOf(high);
  return (
    <ul className="qbars" aria-label="Action values (Q)">
      {qValues.map((q, i) => {
        const name = actionNames[i] ?? `action ${i}`;
        return (
          <li key={name} className={i === best ? 'qbar qbar--best' : 'qbar'}>
            <span className="qbar__name">{name}</span>
            <span className="qbar__track">
              <span className="qbar__fill" style={{ width: `${((q - low) / span) * 100}%` }} />
            </span>
            <span className="qbar__value">{q.toFixed(2)}</span>
          </li>
        );
      })}
    </ul>
  );
}
