import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../tests/support/cli.ts';
import { PROBE_ENTRY_FILE, PROBE_ROM_FILE } from '../../tests/support/probe.ts';

describe('arena roms', () => {
  let roms: string;
  let scratch: string;
  beforeEach(() => {
    roms = mkdtempSync(join(tmpdir(), 'arena-roms-'));
    scratch = mkdtempSync(join(tmpdir(), 'arena-scratch-'));
  });
  afterEach(() => {
    for (const d of [roms, scratch]) rmSync(d, { recursive: true, force: true });
  });
  const cli = (...args: string[]) => runCli(args, { ARENA_ROMS: roms });
  const probe = readFileSync(PROBE_ROM_FILE);

  it('adds a ROM, lists it as unknown with its SHA-1, then as ready once its entry is added', () => {
    expect(cli('roms', 'add', PROBE_ROM_FILE).status).toBe(0);
    const unknown = cli('roms', 'list');
    expect(unknown.stdout).toMatch(/\?\s+unknown\s+e08f4a84dadb36f1dde3d8f6274a1a92fbd30cca/);
    expect(unknown.stdout).toMatch(/--manifest ENTRY\.json/);
    expect(cli('roms', 'add', PROBE_ROM_FILE, '--manifest', PROBE_ENTRY_FILE).status).toBe(0);
    const listed = JSON.parse(cli('roms', 'list', '--json').stdout);
    expect(listed.find((row: { id: string }) => row.id === 'probe')).toMatchObject({
      status: 'ready',
      verified: true,
    });
    const played = cli('play', '--game', 'probe', '--episodes', '2', '--json');
    expect(played.status).toBe(0);
    const lines = played.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ seed: 0 });
    expect(lines[2]).toMatchObject({ episodes: 2, min: Math.min(lines[0].score, lines[1].score) });
  });

  const badCases: [string, (bytes: Buffer) => Buffer, RegExp][] = [
    ['truncated', (b) => b.subarray(0, 9000), /truncated/],
    ['not iNES', (b) => Buffer.concat([Buffer.from('ZIP!'), b.subarray(4)]), /not an iNES file/],
    [
      'unsupported mapper',
      (b) => Buffer.concat([b.subarray(0, 6), Buffer.from([0x50, 0x10]), b.subarray(8)]),
      /mapper 21 is not supported/,
    ],
  ];
  for (const [name, corrupt, message] of badCases) {
    it(`rejects a ${name} ROM with a clear error, a non-zero exit and nothing written`, () => {
      const file = join(scratch, `${name.replace(/ /g, '-')}.nes`);
      writeFileSync(file, corrupt(probe));
      const result = cli('roms', 'add', file);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
      expect(readdirSync(roms)).toEqual([]);
    });
  }

  it('rejects an entry whose SHA-1 does not match the ROM, leaving nothing behind', () => {
    const entry = JSON.parse(readFileSync(PROBE_ENTRY_FILE, 'utf8'));
    const file = join(scratch, 'entry.json');
    writeFileSync(file, JSON.stringify({ ...entry, sha1: '0'.repeat(40) }));
    const result = cli('roms', 'add', PROBE_ROM_FILE, '--manifest', file);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/does not match/);
    expect(readdirSync(roms)).toEqual([]);
  });

  it('ramsearch narrows a recorded session down to the score address', () => {
    cli('roms', 'add', PROBE_ROM_FILE, '--manifest', PROBE_ENTRY_FILE);
    const session = join(scratch, 'session.txt');
    // Score goes up with each FIRE press and stays put otherwise; the probe keeps it at $0010.
    writeFileSync(
      session,
      [
        'hold FIRE 1',
        'inc',
        'hold NOOP 2',
        'same',
        'hold RIGHT 3',
        'same',
        'hold FIRE 1',
        'inc',
        'eq 2',
      ].join('\n'),
    );
    const result = cli('roms', 'ramsearch', '--game', 'probe', '--script', session);
    expect(result.status).toBe(0);
    const finalList = result.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('$'));
    expect(finalList).toContain('$0010 binary     = 2');
    expect(finalList.every((l) => /^\$00(0f|10) /.test(l))).toBe(true);
  });

  it('ramsearch follows a recorded episode replay (the API replay format) to the score address', () => {
    cli('roms', 'add', PROBE_ROM_FILE, '--manifest', PROBE_ENTRY_FILE);
    // The probe scores 1 + (seed & 3) on each new A press: seed 1 gives 2 points a press.
    const actions = Array.from({ length: 30 }, (_, f) => (f === 1 || f === 16 ? 1 : 0));
    const replay = join(scratch, 'replay.json');
    writeFileSync(replay, JSON.stringify({ replay: { settings: { gameSeed: 1 }, actions } }));
    const session = join(scratch, 'replay-session.txt');
    writeFileSync(
      session,
      ['replay 5', 'inc', 'replay 5', 'same', 'replay 10', 'inc', 'eq 4'].join('\n'),
    );
    const result = cli(
      'roms',
      'ramsearch',
      '--game',
      'probe',
      '--replay',
      replay,
      '--script',
      session,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('$0010 binary     = 4');
    const bad = cli(
      'roms',
      'ramsearch',
      '--game',
      'probe',
      '--replay',
      session,
      '--script',
      session,
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/not readable JSON/);
  });
});
