/** docs/training.md lists every training option with the default the code gives it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configFlags } from './config.ts';

const page = readFileSync(new URL('../../docs/training.md', import.meta.url), 'utf8');

describe('docs/training.md', () => {
  it.each(configFlags().map((f) => [f.flag, f] as const))('documents --%s', (_name, flag) => {
    const row = page.split('\n').find((line) => line.startsWith(`| \`--${flag.flag}\` |`));
    expect(row, `no table row for --${flag.flag}`).toBeDefined();
    const cells = (row as string).split(' | ');
    const documented = cells[1].replace(/`/g, '').trim();
    expect(documented).toBe(flag.default === undefined ? '' : JSON.stringify(flag.default));
  });
});
