/**
 * `arena plot --log FILE --out curve.png`: draws a run's learning curve (see
 * agents/dqn/learningCurve.ts) with Vega-Lite -> Vega -> SVG, then @resvg/resvg-js for PNG.
 * An --out ending in .svg skips the PNG step.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { curvePoints, learningCurveSpec } from '../../agents/dqn/learningCurve.ts';
import { UserError } from '../../emulators/errors.ts';

export function register(program: Command): void {
  program
    .command('plot')
    .description('draw the learning curve of a training log (PNG or SVG)')
    .requiredOption('--log <file>', 'training-log.jsonl of a run or an agent folder')
    .option('--out <file>', 'output image (.png or .svg)', 'curve.png')
    .option('--title <text>', 'chart title')
    .action(async (opts: { log: string; out: string; title?: string }) => {
      let text: string;
      try {
        text = await readFile(opts.log, 'utf8');
      } catch {
        throw new UserError(`cannot read ${opts.log}`, 'NO_LOG');
      }
      const points = curvePoints(text);
      if (points.length === 0)
        throw new UserError(`${opts.log} holds no train or eval lines to plot`, 'EMPTY_LOG');
      const spec = learningCurveSpec(points, opts.title ?? basename(opts.log));
      const svg = await renderSvg(spec);
      if (opts.out.toLowerCase().endsWith('.svg')) await writeFile(opts.out, svg);
      else await writeFile(opts.out, await svgToPng(svg));
      console.log(`wrote ${opts.out} (${points.length} points)`);
    });
}

// Loaded on demand so that other commands do not pay for the charting packages at start-up.
async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

async function svgToPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true },
  });
  return png.render().asPng();
}
