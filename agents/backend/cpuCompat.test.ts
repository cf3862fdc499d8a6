// The CPU check that keeps an addon built for another CPU from being loaded.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCpuCompat, parseCpuinfoFlags } from './cpuCompat.mjs';
import { loadAddonFrom } from './native.ts';

const host = { arch: 'x64', model: 'Test CPU', flags: ['sse4_2', 'avx', 'avx2', 'fma'] };

describe('fast-cpu CPU compatibility', () => {
  it('reads the flags line of x86 and arm64 /proc/cpuinfo', () => {
    expect(parseCpuinfoFlags('processor\t: 0\nflags\t\t: fpu sse avx2\n')).toEqual([
      'fpu',
      'sse',
      'avx2',
    ]);
    expect(parseCpuinfoFlags('Features\t: fp asimd sve\n')).toEqual(['fp', 'asimd', 'sve']);
    expect(parseCpuinfoFlags('nothing here\n')).toBeNull();
  });

  it('accepts a build whose extensions the CPU has', () => {
    expect(checkCpuCompat({ arch: 'x64', cpuFlags: ['avx2', 'fma'] }, host)).toEqual({ ok: true });
  });

  it('refuses a build using extensions the CPU lacks, naming them', () => {
    const r = checkCpuCompat({ arch: 'x64', cpuFlags: ['avx2', 'avx512f', 'avx512bw'] }, host);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/avx512f, avx512bw, which this CPU lacks/);
  });

  it('refuses another architecture and a build without a record', () => {
    expect(checkCpuCompat({ arch: 'arm64', cpuFlags: [] }, host).ok).toBe(false);
    expect(checkCpuCompat(null, host).ok).toBe(false);
    expect(checkCpuCompat({ dnnl: true }, host).ok).toBe(false);
  });

  it('without readable flags, trusts only the CPU model it was built on', () => {
    const blind = { ...host, flags: null };
    expect(
      checkCpuCompat({ arch: 'x64', cpuModel: 'Test CPU', cpuFlags: ['avx2'] }, blind).ok,
    ).toBe(true);
    expect(checkCpuCompat({ arch: 'x64', cpuModel: 'Other', cpuFlags: ['avx2'] }, blind).ok).toBe(
      false,
    );
  });

  it('falls back without requiring the addon when the CPU lacks its extensions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fast-cpu-'));
    // Not a shared library: requiring it would fail with a different message.
    const addonPath = join(dir, 'fast_cpu.node');
    writeFileSync(addonPath, 'not an addon');
    const featuresPath = join(dir, 'fast-cpu-features.json');
    writeFileSync(featuresPath, JSON.stringify({ arch: 'x64', cpuFlags: ['avx512f'] }));
    const r = loadAddonFrom(addonPath, featuresPath, host);
    expect(r.addon).toBeNull();
    expect(r.error).toMatch(
      /not used: .*avx512f, which this CPU lacks; rebuild it on this machine/,
    );
  });
});
