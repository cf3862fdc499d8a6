// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { QValueBars } from './QValueBars.tsx';

afterEach(cleanup);

describe('QValueBars', () => {
  it('draws one bar per action on a shared scale and marks the greedy action', () => {
    render(
      <QValueBars actionNames={['NOOP', 'FIRE', 'LEFT', 'RIGHT']} qValues={[0.5, 2, -1, 1]} />,
    );
    const items = screen.getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.qbar__name')?.textContent)).toEqual([
      'NOOP',
      'FIRE',
      'LEFT',
      'RIGHT',
    ]);
    const widths = items.map((li) => (li.querySelector('.qbar__fill') as HTMLElement).style.width);
    // Scale from -1 (the lowest value) to 2 (the highest).
    expect(widths).toEqual(['50%', '100%', '0%', '66.66666666666666%']);
    expect(items[1].className).toContain('qbar--best');
    expect(items.filter((li) => li.className.includes('qbar--best'))).toHaveLength(1);
  });

  it('draws nothing without values', () => {
    const { container } = render(<QValueBars actionNames={['NOOP']} qValues={[]} />);
    expect(container.innerHTML).toBe('');
  });
});
