#!/usr/bin/env node
// Builds the fast-cpu addon (agents/backend/native: OpenBLAS kernels for TensorFlow.js,
// and oneDNN convolutions where libdnnl-dev is installed) with node-gyp and leaves it at
// build/fast_cpu.node. Runs as the package's postinstall, so it must never fail the
// install: when the compiler or OpenBLAS is missing it prints one warning line and exits
// 0, and training runs on tfjs's slow pure-JS cpu backend; without oneDNN it builds the
// OpenBLAS-only addon and says so. `--force` rebuilds even when up to date.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCpuCompat, hostCpu } from '../agents/backend/cpuCompat.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'agents', 'backend', 'native');
/** binding.gyp and every C++ source and header: a change to any of them means a rebuild. */
const sources = readdirSync(srcDir)
  .filter((f) => f === 'binding.gyp' || f.endsWith('.cc') || f.endsWith('.h'))
  .map((f) => join(srcDir, f));
const outDir = join(root, 'build');
const out = join(outDir, 'fast_cpu.node');
const log = join(outDir, 'fast-cpu-build.log');
/**
 * What the addon was built with: { dnnl, arch, cpuModel, cpuFlags }. Installing oneDNN later,
 * or installing on a CPU that lacks the recorded extensions, triggers a rebuild; the loader
 * refuses an addon whose record does not fit the CPU it runs on (agents/backend/cpuCompat.mjs).
 */
const featuresFile = join(outDir, 'fast-cpu-features.json');
const force = process.argv.includes('--force');
const quietOk = process.argv.includes('--quiet');

const FIX =
  'fix: apt-get install libopenblas-dev libdnnl-dev (and a C++ compiler), then npm run build:native';

function warn(reason) {
  console.warn(
    `[build-native] WARNING: fast-cpu addon not built (${reason}); TensorFlow.js training will run on the slow pure-JS cpu backend - ${FIX}`,
  );
  process.exit(0);
}

function upToDate(features) {
  if (!existsSync(out)) return false;
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(featuresFile, 'utf8'));
  } catch {
    return false;
  }
  if (recorded?.dnnl !== features.dnnl) return false;
  if (!checkCpuCompat(recorded, hostCpu()).ok) return false;
  const builtAt = statSync(out).mtimeMs;
  return sources.every((s) => existsSync(s) && statSync(s).mtimeMs <= builtAt);
}

/** node-gyp as npm ships it: npm passes its path to lifecycle scripts, else look beside node. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

/** Headers for the running node; with none configured node-gyp would try to download them. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [`--nodedir=${process.env.npm_config_nodedir}`];
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return [`--nodedir=${prefix}`];
  return [];
}

/** True when a tiny program including cblas.h links against -lopenblas. */
function haveOpenBlas(cxx) {
  const probe = spawnSync(cxx, ['-x', 'c++', '-', '-o', '/dev/null', '-lopenblas'], {
    input:
      '#include <cblas.h>\nint main(){float a=1,b=1,c=0;cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,1,1,1,1.f,&a,1,&b,1,0.f,&c,1);return 0;}\n',
    encoding: 'utf8',
  });
  return probe.status === 0;
}

/** True when a tiny program including oneDNN's C++ header links against -ldnnl. */
function haveDnnl(cxx) {
  const probe = spawnSync(cxx, ['-std=c++17', '-x', 'c++', '-', '-o', '/dev/null', '-ldnnl'], {
    input:
      '#include <oneapi/dnnl/dnnl.hpp>\nint main(){dnnl::engine e(dnnl::engine::kind::cpu,0);return 0;}\n',
    encoding: 'utf8',
  });
  return probe.status === 0;
}

function main() {
  if (process.platform === 'win32') warn('Windows is not supported by this build script');
  const cxx = process.env.CXX || 'c++';
  const compiler = spawnSync(cxx, ['--version'], { encoding: 'utf8' }).status === 0;
  const features = { dnnl: compiler && haveDnnl(cxx) };
  if (!force && upToDate(features)) {
    if (!quietOk) console.log(`[build-native] ${out} is up to date`);
    return;
  }
  if (!compiler) warn(`no C++ compiler (${cxx})`);
  if (!haveOpenBlas(cxx)) warn('OpenBLAS headers or library not found');
  const gyp = findNodeGyp();
  if (!gyp) warn('node-gyp not found (it ships with npm)');

  mkdirSync(outDir, { recursive: true });
  const res = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedirArgs()], {
    cwd: srcDir,
    encoding: 'utf8',
    // binding.gyp reads FAST_CPU_DNNL to compile and link the oneDNN convolutions.
    env: { ...process.env, npm_config_loglevel: 'warn', FAST_CPU_DNNL: features.dnnl ? '1' : '0' },
  });
  writeFileSync(log, `${res.stdout ?? ''}\n${res.stderr ?? ''}`);
  const built = join(srcDir, 'build', 'Release', 'fast_cpu.node');
  if (res.status !== 0 || !existsSync(built)) {
    // A stale addon from older sources must not outlive a failed rebuild.
    rmSync(out, { force: true });
    warn(`node-gyp failed, see ${log}`);
  }
  // Copy, then rename over the old addon: a process that has the old one loaded (a training
  // run) keeps its file, where copying over it in place would crash that process.
  const staged = `${out}.${process.pid}.tmp`;
  copyFileSync(built, staged);
  renameSync(staged, out);
  // A library that links but does not load (wrong arch, missing .so at runtime) is a failed build.
  // It also reports the instruction-set extensions it was compiled with, for the record.
  const check = spawnSync(
    process.execPath,
    ['-e', `console.log(JSON.stringify(require(${JSON.stringify(out)}).compiledCpuFlags()))`],
    { encoding: 'utf8' },
  );
  let compiled = null;
  try {
    compiled = check.status === 0 ? JSON.parse(check.stdout) : null;
  } catch {
    compiled = null;
  }
  if (!Array.isArray(compiled)) {
    writeFileSync(log, `${check.stderr}\n`, { flag: 'a' });
    rmSync(out, { force: true });
    warn(`built addon does not load, see ${log}`);
  }
  // The compiler found these on this CPU; one the kernel's cpuinfo does not name (an older
  // kernel) could never be confirmed on any machine, so it is left out of the record.
  const host = hostCpu();
  const known = host.flags ? new Set(host.flags) : null;
  const cpuFlags = known ? compiled.filter((f) => known.has(f)) : compiled;
  const dropped = compiled.filter((f) => !cpuFlags.includes(f));
  if (dropped.length > 0) {
    writeFileSync(log, `not in /proc/cpuinfo, not recorded: ${dropped.join(' ')}\n`, {
      flag: 'a',
    });
  }
  const record = { ...features, arch: host.arch, cpuModel: host.model, cpuFlags };
  writeFileSync(featuresFile, `${JSON.stringify(record)}\n`);
  console.log(
    `[build-native] built ${out} (${features.dnnl ? 'with oneDNN convolutions' : 'OpenBLAS only; apt-get install libdnnl-dev for oneDNN convolutions'})`,
  );
}

try {
  main();
} catch (err) {
  warn(`unexpected error: ${err instanceof Error ? err.message : String(err)}`);
}
