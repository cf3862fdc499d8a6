// Where a DQN update spends its time, per kernel: `node bin/run-ts.mjs agents/backend/profile.ts [fast-cpu|cpu] [nature|small]`.
import { initBackend } from './index.ts';
import { disposeBatch, makeTrainer, NATURE_CNN, randomBatch, SMALL_CNN } from './workload.ts';

const choice = (process.argv[2] ?? 'fast-cpu') as 'fast-cpu' | 'cpu';
const spec = process.argv[3] === 'small' ? SMALL_CNN : NATURE_CNN;
const threads = process.env.THREADS ? Number(process.env.THREADS) : undefined;
const { tf } = await initBackend({ backend: choice, threads });
const trainer = makeTrainer(tf, spec);
const batch = randomBatch(tf, spec, 32, 7);
for (let i = 0; i < 3; i++) trainer.update(batch, true);
const reps = 10;
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < reps; i++) trainer.update(batch, i === reps - 1);
const ms = (performance.now() - t0) / reps;
const cpu = process.cpuUsage(c0);
console.log(
  `update: ${ms.toFixed(1)} ms (${(1000 / ms).toFixed(2)}/s), cpu user ${(cpu.user / 1000 / reps).toFixed(1)} ms sys ${(cpu.system / 1000 / reps).toFixed(1)} ms`,
);

const info = await tf.profile(() => {
  trainer.update(batch, true);
});
const byKernel = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += k.kernelTimeMs as number;
  e.n += 1;
  byKernel.set(k.name, e);
}
const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
let total = 0;
for (const [, e] of rows) total += e.ms;
console.log(`kernel total ${total.toFixed(1)} ms over ${info.kernels.length} kernels`);
for (const [name, e] of rows.slice(0, 25)) {
  console.log(`${name.padEnd(24)} ${e.ms.toFixed(2).padStart(8)} ms  x${e.n}`);
}
disposeBatch(batch);
trainer.dispose();
