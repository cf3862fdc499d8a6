/**
 * Imports point one way: `server/` may use `agents/`, `emulators/` and `roms-manifest/`;
 * `agents/` may use `emulators/`; `emulators/` uses neither; the dashboard shares only the
 * protocol modules and the environment code; and no two folders of `server/` import each other,
 * however long the way round. Tests are left out: a test may reach across to build its fixture.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true, recursive: true })) {
    const path = relative(ROOT, join(entry.parentPath, entry.name));
    if (path.includes('node_modules') || !entry.isFile()) continue;
    if (/\.(ts|tsx|mts)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Every relative import and re-export of `file` (type-only ones too), as repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s+'(\.[^']+)'/g)) {
    out.push(relative(ROOT, resolve(dirname(join(ROOT, file)), m[1])));
  }
  for (const m of text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) {
    out.push(relative(ROOT, resolve(dirname(join(ROOT, file)), m[1])));
  }
  return out;
}

const topOf = (path: string) => path.split('/')[0];

describe('the import graph', () => {
  it('finds imports (the checks below are not vacuous)', () => {
    const imports = importsOf('server/app.ts');
    expect(imports).toContain('server/api/index.ts');
    expect(sourceFiles('server').length).toBeGreaterThan(50);
  });

  it('points one way between the top-level folders', () => {
    const allowed: Record<string, string[]> = {
      emulators: ['emulators', 'roms-manifest'],
      agents: ['agents', 'emulators', 'roms-manifest'],
      server: ['server', 'agents', 'emulators', 'roms-manifest'],
    };
    const wrong: string[] = [];
    for (const [folder, may] of Object.entries(allowed)) {
      for (const file of sourceFiles(folder)) {
        for (const target of importsOf(file)) {
          if (!may.includes(topOf(target))) wrong.push(`${file} -> ${target}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets the dashboard share only protocol modules and the environment code', () => {
    const wrong: string[] = [];
    for (const file of sourceFiles('client/src')) {
      for (const target of importsOf(file)) {
        const shared = target.startsWith('server/protocol/') || target.startsWith('emulators/');
        if (!target.startsWith('client/') && !shared) wrong.push(`${file} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no cycle between the folders of server/', () => {
    const folderOf = (path: string) => {
      const parts = path.split('/');
      return parts[0] === 'server' && parts.length > 2 ? parts[1] : null;
    };
    const edges = new Map<string, Set<string>>();
    for (const file of sourceFiles('server')) {
      const from = folderOf(file);
      if (!from) continue;
      for (const target of importsOf(file)) {
        const to = folderOf(target);
        if (!to || to === from) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
    }
    expect(edges.get('api')?.has('storage')).toBe(true);
    // A path from a folder back to itself is a cycle; report the first found, as a route.
    const cycles: string[] = [];
    const search = (start: string, at: string, route: string[], seen: Set<string>) => {
      for (const next of edges.get(at) ?? []) {
        if (next === start) cycles.push([...route, next].join(' -> '));
        else if (!seen.has(next)) {
          seen.add(next);
          search(start, next, [...route, next], seen);
        }
      }
    };
    for (const start of edges.keys()) search(start, start, [start], new Set());
    expect(cycles).toEqual([]);
  });
});
