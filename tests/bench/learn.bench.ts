// Learning benchmark: how far DQN gets on a game within a wall-clock budget on this machine.
//   npm run bench:learn [-- --recipe brick --game brick --minutes 60 --episodes 30 --dry-run
//                        -- ...extra arena train flags]
//
// It trains with `arena train --recipe R --minutes M` (the recipe file agents/dqn/recipes/R.json,
// by default the one the bundled Brick agent was made with; anything after a lone `--` is passed
// on to `arena train` and overrides the recipe), then scores the agent and, as the baseline
// measured in the same run, the random agent under the arena's evaluation conditions
// (`arena eval`, same seed list). Two agents come out of a run: the last one, whose figures are
// the headline (what the budget's training ends with), and the best one of its periodic
// evaluations (`<run>/best`, chosen on the validation seeds, so scoring it on the arena's test
// seeds is not inflated by the choice), reported beside them. Figures: mean with its 95%
// interval, ratio to the random agent's mean, and the normalised score
// (agent - random) / (scripted - random) from the manifest baselines. The last line is one JSON
// object. `--dry-run` prints the training command and stops.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadRecipe } from '../../agents/dqn/recipe.ts';

const split = process.argv.indexOf('--', 2);
const extra = split >= 0 ? process.argv.slice(split + 1) : [];
const program = new Command('bench:learn')
  .option('--recipe <name|file>', 'training recipe (agents/dqn/recipes/)', 'brick')
  .option('--game <id>', "game (default: the recipe's)")
  .option('--minutes <m>', 'training budget in minutes', Number, 60)
  .option('--episodes <n>', 'evaluation episodes', Number, 30)
  .option('--dry-run', 'print the training command and stop')
  .parse(split >= 0 ? process.argv.slice(0, split) : process.argv);
const opts = program.opts<{
  recipe: string;
  game?: string;
  minutes: number;
  episodes: number;
  dryRun?: boolean;
}>();
// Read here as well as by `arena train`: a bad recipe fails before the run, and it names the game.
const recipe = (() => {
  try {
    return loadRecipe(opts.recipe);
  } catch (error) {
    if ((error as Error).name !== 'UserError') throw error;
    console.error(`bench:learn: ${(error as Error).message}`);
    process.exit(1);
  }
})();
const game = opts.game ?? recipe.config.game ?? 'brick';

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

const trainArgs = (runsDir: string) => [
  'train',
  '--recipe',
  opts.recipe,
  '--game',
  game,
  ...extra,
  '--minutes',
  String(opts.minutes),
  '--runs-dir',
  runsDir,
  '--no-progress',
];
if (opts.dryRun) {
  console.log(`recipe ${recipe.name} (${recipe.path}): ${JSON.stringify(recipe.config)}`);
  console.log(['arena', ...trainArgs('RUNS_DIR')].join(' '));
  process.exit(0);
}

const runsDir = mkdtempSync(join(tmpdir(), 'arena-learn-'));
const load = [loadavg()[0]];
const trainStart = performance.now();
const trained = await arena(trainArgs(runsDir), true);
load.push(loadavg()[0]);
const trainWallMinutes = (performance.now() - trainStart) / 60_000;
const agentDir = /^agent: (.+)$/m.exec(trained)?.[1];
if (!agentDir) throw new Error('arena train printed no agent folder');
const steps = Number(/: (\d+) steps/.exec(trained)?.[1]);
const bestLine = /^best agent: (.+) \(step (\d+), validation mean ([-\d.]+)\)$/m.exec(trained);
const evalArgs = ['--game', game, '--episodes', String(opts.episodes), '--json'];
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
  `${game}: after ${opts.minutes} min (${steps} steps) ${describe(last)}; ` +
    (best && bestLine
      ? `best agent (step ${bestLine[2]}, validation mean ${bestLine[3]}) ${describe(best)}; `
      : '') +
    (average ? `weight-averaged agent ${describe(average)}; ` : '') +
    `random mean ${round(random.mean)} [${round(random.ci95[0])}, ${round(random.ci95[1])}]`,
);
console.log(
  JSON.stringify({
    game,
    recipe: recipe.name,
    minutes: opts.minutes,
    // The budget counts training only; the periodic evaluations (the recipe's evalEvery and
    // evalEpisodes, for the curve) stop its clock, so the process ran this long in all.
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
