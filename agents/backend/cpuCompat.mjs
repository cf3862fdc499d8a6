// Whether a fast-cpu addon built on one machine may run on this one. The addon is compiled
// with -march=native; on a CPU without the extensions the compiler used, loading or calling
// it dies with SIGILL, which no JS handler catches. So scripts/build-native.mjs records what
// the build used (build/fast-cpu-features.json) and agents/backend/native.ts compares that
// with the running CPU before it requires the addon. Plain JS, so the build script (plain
// node at postinstall) and the TypeScript loader share one definition of the rule.
import { existsSync, readFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';

/** The flags line of /proc/cpuinfo ("flags" on x86, "Features" on arm64), or null. */
export function parseCpuinfoFlags(text) {
  const line = text.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  if (!line) return null;
  return line
    .slice(line.indexOf(':') + 1)
    .trim()
    .split(/\s+/)
    .filter(Boolean);
}

/** This machine: its architecture, CPU model name and, on Linux, its CPU flags. */
export function hostCpu(cpuinfoPath = '/proc/cpuinfo') {
  let flags = null;
  if (existsSync(cpuinfoPath)) {
    try {
      flags = parseCpuinfoFlags(readFileSync(cpuinfoPath, 'utf8'));
    } catch {
      flags = null;
    }
  }
  return { arch: arch(), model: cpus()[0]?.model ?? '', flags };
}

/**
 * { ok: true } when an addon built as `build` records (its features JSON) can run on `host`,
 * else { ok: false, reason } saying why not in one sentence.
 */
export function checkCpuCompat(build, host) {
  if (!build || typeof build !== 'object' || !Array.isArray(build.cpuFlags)) {
    return {
      ok: false,
      reason: 'the build did not record which CPU features it uses (rebuild it)',
    };
  }
  if (build.arch !== host.arch) {
    return { ok: false, reason: `it was built for ${build.arch}, this machine is ${host.arch}` };
  }
  if (host.flags) {
    const have = new Set(host.flags);
    const missing = build.cpuFlags.filter((f) => !have.has(f));
    if (missing.length > 0) {
      return {
        ok: false,
        reason: `it was built for a CPU with ${missing.join(', ')}, which this CPU lacks`,
      };
    }
    return { ok: true };
  }
  // No flags to compare (no /proc/cpuinfo): only the CPU it was built on is known to be safe.
  if (build.cpuFlags.length === 0 || build.cpuModel === host.model) return { ok: true };
  return {
    ok: false,
    reason: `it was built on a ${build.cpuModel || 'different'} CPU and this CPU's features cannot be read`,
  };
}
