/** `arena screenshot`: writes a game's raw 256x240 frame as a PNG. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PNG } from 'pngjs';
import { makeBuiltinAgent } from '../../agents/builtin.ts';
import { SCREEN_HEIGHT, SCREEN_WIDTH } from '../../emulators/nes/machine.ts';
import { NesEnv } from '../../emulators/nes/nesEnv.ts';
import { resolveGame } from '../gameSource.ts';
import { integerOption, settingOption } from './options.ts';

interface ScreenshotOptions {
  game?: string;
  rom?: string;
  frame: number;
  seed: number;
  agent: string;
  out: string;
  scale: number;
  setting?: Record<string, string>;
}

/** Encodes RGBA pixels as PNG, nearest-neighbour upscaled by `scale`. */
export function encodePng(rgba: Uint8Array, width: number, height: number, scale = 1): Buffer {
  const png = new PNG({ width: width * scale, height: height * scale });
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      const from = (((y / scale) | 0) * width + ((x / scale) | 0)) * 4;
      const to = (y * width * scale + x) * 4;
      png.data[to] = rgba[from];
      png.data[to + 1] = rgba[from + 1];
      png.data[to + 2] = rgba[from + 2];
      png.data[to + 3] = rgba[from + 3];
    }
  }
  return PNG.sync.write(png);
}

export function register(program: Command): void {
  program
    .command('screenshot')
    .description("write a game's raw frame (256x240) as a PNG, after N frames of play")
    .option('--game <id>', 'a game from the manifest')
    .option('--rom <file>', 'a ROM file that has a manifest entry')
    .option(
      '--frame <n>',
      'frames of play after the boot sequence',
      integerOption(0, 1_000_000),
      120,
    )
    .option('--seed <s>', 'episode seed', integerOption(0, 2 ** 31 - 1), 0)
    .option('--agent <name>', 'who plays until the frame: random or scripted', 'random')
    .option('--scale <k>', 'upscale factor', integerOption(1, 8), 1)
    .option('--setting <name=value>', 'a game setting (repeatable)', settingOption)
    .requiredOption('--out <file.png>', 'where to write the PNG')
    .action((options: ScreenshotOptions) => {
      const { entry, bytes } = resolveGame(options);
      const env = new NesEnv({ entry, rom: bytes, settings: options.setting });
      const agent = makeBuiltinAgent(options.agent, {
        entry,
        actions: env.actionSpace.names,
        seed: options.seed,
        ram: () => env.machine.ram,
      });
      env.reset({ seed: options.seed });
      // Agents act every 4 frames, as under the arena's frame skip.
      let action = 0;
      const empty = new Uint8Array(0);
      for (let frame = 0; frame < options.frame; frame++) {
        if (frame % 4 === 0) action = agent.act(empty);
        if (env.step(action).terminated) break;
      }
      writeFileSync(
        options.out,
        encodePng(env.machine.screenRgba(), SCREEN_WIDTH, SCREEN_HEIGHT, options.scale),
      );
      console.log(
        `wrote ${options.out} (${entry.title}, frame ${options.frame}, seed ${options.seed})`,
      );
    });
}
