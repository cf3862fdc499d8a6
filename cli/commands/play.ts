/**
 * `arena play`: runs an agent on a game in the terminal under the arena's evaluation conditions,
 * with a live score line; `--json` prints one object per episode and a summary last.
 */
import type { Command } from 'commander';
import { makeBuiltinAgent } from '../../agents/builtin.ts';
import { summarise } from '../../agents/evaluation/statistics.ts';
import { NesEnv } from '../../emulators/nes/nesEnv.ts';
import { atariPreprocessing } from '../../emulators/wrappers/index.ts';
import { resolveGame } from '../gameSource.ts';
import { integerOption, numberOption, settingOption } from './options.ts';

interface PlayOptions {
  game?: string;
  rom?: string;
  agent: string;
  episodes: number;
  seed: number;
  json?: boolean;
  sticky: number;
  noopMax: number;
  maxFrames: number;
  setting?: Record<string, string>;
}

export interface EpisodeRecord {
  episode: number;
  seed: number;
  score: number;
  frames: number;
  truncated: boolean;
}

export function register(program: Command): void {
  program
    .command('play')
    .description('play a game with a built-in agent in the terminal, with a live score line')
    .option('--game <id>', 'a game from the manifest (see `arena roms list`)')
    .option('--rom <file>', 'a ROM file that has a manifest entry')
    .option('--agent <name>', 'random or scripted', 'random')
    .option('--episodes <n>', 'episodes to play', integerOption(1, 100_000), 1)
    .option(
      '--seed <s>',
      'seed of the first episode (episode i gets seed + i)',
      integerOption(0, 2 ** 31 - 1),
      0,
    )
    .option('--sticky <p>', 'sticky action probability', numberOption(0, 0.99), 0.25)
    .option('--noop-max <n>', 'most random no-op steps after reset', integerOption(0, 1000), 30)
    .option('--max-frames <n>', 'frame cap per episode', integerOption(1), 108_000)
    .option(
      '--setting <name=value>',
      'a game setting, e.g. opponentLevel=hard (repeatable)',
      settingOption,
    )
    .option('--json', 'print one JSON object per episode and a summary object last')
    .action(async (options: PlayOptions) => {
      await play(options);
    });
}

async function play(options: PlayOptions): Promise<void> {
  const { entry, bytes } = resolveGame(options);
  const base = new NesEnv({ entry, rom: bytes, settings: options.setting });
  const env = atariPreprocessing(base, {
    stickyActionProbability: options.sticky,
    noopMax: options.noopMax,
    maxEpisodeFrames: options.maxFrames,
  });
  const live = !options.json && process.stderr.isTTY;
  const records: EpisodeRecord[] = [];
  for (let episode = 0; episode < options.episodes; episode++) {
    const seed = options.seed + episode;
    const agent = makeBuiltinAgent(options.agent, {
      entry,
      actions: env.actionSpace.names,
      seed,
      ram: () => base.machine.ram,
    });
    let { observation, info } = env.reset({ seed });
    let truncated = false;
    for (;;) {
      const result = env.step(agent.act(observation, info));
      observation = result.observation;
      info = result.info;
      if (live && info.episodeFrame % 60 < 4) {
        process.stderr.write(
          `\r${entry.title} | ${agent.name} | episode ${episode + 1}/${options.episodes} | frame ${info.episodeFrame} | score ${info.score} | lives ${info.lives}   `,
        );
      }
      if (result.terminated || result.truncated) {
        truncated = result.truncated && !result.terminated;
        break;
      }
    }
    agent.dispose?.();
    const record = { episode, seed, score: info.score, frames: info.episodeFrame, truncated };
    records.push(record);
    if (options.json)
      console.log(JSON.stringify({ score: record.score, frames: record.frames, seed, truncated }));
    else {
      if (live) process.stderr.write('\n');
      console.log(
        `episode ${episode + 1}: score ${record.score} in ${record.frames} frames (seed ${seed})${truncated ? ', truncated' : ''}`,
      );
    }
  }
  env.close();
  const summary = summarise(records.map((r) => r.score));
  if (options.json) {
    console.log(
      JSON.stringify({
        episodes: summary.n,
        mean: summary.mean,
        median: summary.median,
        min: summary.min,
        max: summary.max,
      }),
    );
  } else if (records.length > 1) {
    console.log(
      `${summary.n} episodes: mean ${summary.mean.toFixed(1)}, median ${summary.median}, min ${summary.min}, max ${summary.max}`,
    );
  }
}
