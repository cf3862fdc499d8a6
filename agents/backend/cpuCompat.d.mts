export interface HostCpu {
  arch: string;
  model: string;
  /** /proc/cpuinfo's flags; null where they cannot be read. */
  flags: string[] | null;
}

/** What build/fast-cpu-features.json records about a build. */
export interface BuildRecord {
  dnnl?: boolean;
  arch?: string;
  cpuModel?: string;
  /** Extensions the compiled code uses, in /proc/cpuinfo's names. */
  cpuFlags?: string[];
}

export type CpuCompat = { ok: true } | { ok: false; reason: string };

export function parseCpuinfoFlags(text: string): string[] | null;
export function hostCpu(cpuinfoPath?: string): HostCpu;
export function checkCpuCompat(build: BuildRecord | null | undefined, host: HostCpu): CpuCompat;
