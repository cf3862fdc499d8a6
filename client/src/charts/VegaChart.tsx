/**
 * Renders a vega-lite spec (every chart of the dashboard is one). vega-embed is loaded on demand,
 * so pages without charts (Live) do not download it. The chart follows the colour theme through
 * a vega-lite `config` built from the CSS variables.
 */
import { useEffect, useRef, useState } from 'react';
import type { TopLevelSpec } from 'vega-lite';
import { useEffectiveTheme } from '../theme.ts';

export interface VegaChartProps {
  spec: TopLevelSpec;
  /** Accessible summary of what the chart shows. */
  label: string;
  height?: number;
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** vega-lite config matching the page: transparent background, theme text and grid colours. */
function themeConfig() {
  const text = cssVar('--text', '#222');
  const muted = cssVar('--text-muted', '#666');
  const border = cssVar('--border', '#ddd');
  const font = cssVar('--font-sans', 'sans-serif');
  return {
    background: 'transparent',
    font,
    view: { stroke: 'transparent' },
    axis: {
      labelColor: muted,
      titleColor: text,
      gridColor: border,
      domainColor: border,
      tickColor: border,
      labelFontSize: 11,
      titleFontSize: 12,
      titleFontWeight: 600,
    },
    legend: { labelColor: muted, titleColor: text },
    title: { color: text },
    range: {
      category: [
        cssVar('--accent', '#6a4cff'),
        cssVar('--accent-2', '#00a3c4'),
        cssVar('--warn', '#a86400'),
        cssVar('--good', '#138a52'),
        cssVar('--bad', '#c62839'),
      ],
    },
    mark: { color: cssVar('--accent', '#6a4cff') },
  };
}

export function VegaChart({ spec, label, height = 240 }: VegaChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const theme = useEffectiveTheme();
  const [failed, setFailed] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `theme` redraws with the new colours.
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    let cancelled = false;
    let finalize: (() => void) | null = null;
    void import('vega-embed')
      .then(({ default: embed }) => {
        if (cancelled) return;
        const full = {
          width: 'container',
          height,
          autosize: { type: 'fit', contains: 'padding' },
          ...spec,
          config: { ...themeConfig(), ...(spec as { config?: object }).config },
        } as TopLevelSpec;
        return embed(element, full, { actions: false, renderer: 'svg' }).then((result) => {
          if (cancelled) result.finalize();
          else finalize = () => result.finalize();
        });
      })
      .catch((error: unknown) => {
        if (!cancelled) setFailed((error as Error).message);
      });
    return () => {
      cancelled = true;
      finalize?.();
    };
  }, [spec, height, theme]);

  if (failed) return <div className="note note--warn">This chart could not be drawn: {failed}</div>;
  return <div ref={ref} className="chart" role="img" aria-label={label} />;
}
