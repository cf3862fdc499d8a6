// Learning benchmark: how far DQN gets on a game within a wall-clock budget on this machine.
//   npm run bench:learn [-- --game brick --minutes 60 --episodes 30 -- ...extra arena train flags]
//
// It trains with `arena train --minutes M` and the flags below (the ones the bundled Brick agent
// was made with; anything after a lone `--` is passed on to `arena train`), then scores the agent
// and, as the baseline measured in the same run, the random agent under the arena's evaluation
// conditions (`arena eval`, same seed list). Two agents come out of a run: the last one, whose
// figures are the headline (what an hour of training ends with), and the best one of its periodic
// evaluations (`<run>/best`, chosen on the validation seeds, so scoring it on the arena's test
// seeds is not inflated by the choice), reported beside them. Figures: mean with its 95%
// interval, ratio to the random agent's mean, and the normalised score
// (agent - random) / (scripted - random) from the manifest baselines. The last line is one JSON
// object.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';

/** The training flags of the bundled Brick agent (agents/bundled/README.md). */
export const LEARN_FLAGS = [
  '--net',
  'small',
  // Eight envs: one gradient step per vector step, which the env workers emulate meanwhile
  // (with four, every other step had no update to overlap and the learner waited;
  // docs/benchmarks.md has the measurement).
  '--num-envs',
  '8',
  // A cap the 60-minute budget does not reach; epsilon anneals over the first 4% (40,000 steps).
  '--steps',
  '1000000',
  '--exploration-fraction',
  '0.04',
  '--learning-starts',
  '5000',
  // 200,000 transitions (~1.4 GB of frames): an hour's run makes several hundred thousand agent
  // steps, and a memory of the last 100,000 forgot too soon (docs/experiments/brick-dqn.md).
  '--buffer-size',
  '200000',
  // 4,000 steps = 500 gradient steps between target updates, as Nature's 32-every-4 recipe had
  // at 2,000 (a run with 2,000 here, 250 gradient steps, collapsed after 200,000 steps).
  '--target-update-interval',
  '4000',
  '--n-step',
  '3',
  // One gradient step of 64 every 8 agent steps: the replay ratio of Nature's 32 every 4 at
  // about 30% less compute per sample (agents/backend/README.md).
  '--batch-size',
  '64',
  '--train-frequency',
  '8',
  // Adam's step size falls linearly from 4e-4 to 5e-5, then holds: faster early than a constant
  // 2.5e-4, and no late collapse. The fall spans the first 600,000 steps: with Munchausen targets
  // that scored higher in the hour than a fall over 300,000 (without them, a slower fall had not
  // helped; docs/experiments/brick-dqn.md).
  '--learning-rate',
  '0.0004',
  '--final-learning-rate',
  '0.00005',
  '--learning-rate-decay-steps',
  '600000',
  // Munchausen targets (Vieillard 2020; alpha 0.9, tau 0.03, clip -1): the hour's run scored
  // higher with them than with Double DQN targets (docs/experiments/brick-dqn.md).
  '--munchausen',
  // Targets that price in the evaluation's random actions (expected SARSA over epsilon-greedy
  // play at the evaluation's 0.05), and training's exploration ending at that same 0.05: with
  // sticky actions drawn per frame (as ALE does), the hour's run cleared the learning goal
  // (docs/experiments/brick-dqn.md has its figures and what each change may be worth).
  '--target-epsilon',
  '0.05',
  '--end-epsilon',
  '0.05',
  '--eval-every',
  '50000',
  '--eval-episodes',
  '5',
  '--checkpoint-every',
  '50000',
  '--seed',
  '1',
];

const split = process.argv.indexOf('--', 2);
const extra = split >= 0 ? process.argv.slice(split + 1) : [];
const program = new Command('bench:learn')
  .option('--game <id>', 'game', 'brick')
  .option('--minutes <m>', 'training budget in minutes', Number, 60)
  .option('--episodes <n>', 'evaluation episodes', Number, 30)
  .parse(split >= 0 ? process.argv.slice(0, split) : process.argv);
const opts = program.opts<{ game: string; minutes: number; episodes: number }>();

const ARENA = join(import.meta.dirname, '..', '..', 'bin', 'arena.mjs');

function arena(args: string[], echo: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ARENA, ...args], {
      stdio: ['ignore', 'pipe', echo ? 'inherit' : 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (echo) process.stdout.write(chunk);
    });
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`arena ${args[0]} exited ${code}`)),
    );
  });
}

interface EvalJson {
  mean: number;
  ci95: [number, number];
  median: number;
  normalised: number | null;
}
const lastJson = (out: string): EvalJson => JSON.parse(out.trim().split('\n').at(-1) as string);

const runsDir = mkdtempSync(join(tmpdir(), 'arena-learn-'));
const load = [loadavg()[0]];
const trainStart = performance.now();
const trained = await arena(
  [
    'train',
    '--game',
    opts.game,
    ...LEARN_FLAGS,
    ...extra,
    '--minutes',
    String(opts.minutes),
    '--runs-dir',
    runsDir,
    '--no-progress',
  ],
  true,
);
load.push(loadavg()[0]);
const trainWallMinutes = (performance.now() - trainStart) / 60_000;
const agentDir = /^agent: (.+)$/m.exec(trained)?.[1];
if (!agentDir) throw new Error('arena train printed no agent folder');
const steps = Number(/: (\d+) steps/.exec(trained)?.[1]);
const bestLine = /^best agent: (.+) \(step (\d+), validation mean ([-\d.]+)\)$/m.exec(trained);
const evalArgs = ['--game', opts.game, '--episodes', String(opts.episodes), '--json'];
const last = lastJson(await arena(['eval', '--agent', agentDir, ...evalArgs], false));
const best = bestLine
  ? lastJson(await arena(['eval', '--agent', bestLine[1], ...evalArgs], false))
  : null;
// The weight average (when the flags keep one: --average-decay) is scored beside the last agent.
const averageDir = /^weight-averaged agent: (.+)$/m.exec(trained)?.[1];
const average = averageDir
  ? lastJson(await arena(['eval', '--agent', averageDir, ...evalArgs], false))
  : null;
const random = lastJson(await arena(['eval', '--agent', 'random', ...evalArgs], false));
load.push(loadavg()[0]);

const round = (x: number) => Math.round(x * 1000) / 1000;
const describe = (e: EvalJson) =>
  `mean ${round(e.mean)} [${round(e.ci95[0])}, ${round(e.ci95[1])}], normalised ` +
  `${e.normalised === null ? 'n/a' : round(e.normalised)}`;
console.log(`agent folders: ${agentDir}${bestLine ? `, ${bestLine[1]}` : ''}`);
console.log(
  `${opts.game}: after ${opts.minutes} min (${steps} steps) ${describe(last)}; ` +
    (best && bestLine
      ? `best agent (step ${bestLine[2]}, validation mean ${bestLine[3]}) ${describe(best)}; `
      : '') +
    (average ? `weight-averaged agent ${describe(average)}; ` : '') +
    `random mean ${round(random.mean)} [${round(random.ci95[0])}, ${round(random.ci95[1])}]`,
);
console.log(
  JSON.stringify({
    game: opts.game,
    minutes: opts.minutes,
    // The budget counts training only; the periodic evaluations (5 episodes every 50,000 steps,
    // for the curve) stop its clock, so the process ran this long in all.
    trainWallMinutes: round(trainWallMinutes),
    steps,
    stepsPerSec: round(steps / (opts.minutes * 60)),
    episodes: opts.episodes,
    mean: round(last.mean),
    ci95: last.ci95.map(round),
    randomMean: round(random.mean),
    randomCi95: random.ci95.map(round),
    ratioToRandom: round(last.mean / Math.max(random.mean, 1e-9)),
    normalised: last.normalised === null ? null : round(last.normalised),
    clearOfRandom: last.ci95[0] > random.ci95[1],
    // The agent of the best periodic evaluation (validation seeds), scored on the test seeds.
    best:
      best && bestLine
        ? {
            step: Number(bestLine[2]),
            validationMean: Number(bestLine[3]),
            mean: round(best.mean),
            ci95: best.ci95.map(round),
            normalised: best.normalised === null ? null : round(best.normalised),
          }
        : null,
    // The run's weight average of the online network at the end (null when not kept).
    average: average
      ? {
          mean: round(average.mean),
          ci95: average.ci95.map(round),
          normalised: average.normalised === null ? null : round(average.normalised),
        }
      : null,
    loadAverage: load.map(round),
  }),
);
