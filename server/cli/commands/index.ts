import type { Command } from 'commander';
import { registerPlay } from './play.ts';
import { registerRoms } from './roms.ts';
import { registerScreenshot } from './screenshot.ts';

/** Every CLI command module; each adds its command(s) to the program. */
export const commandModules: ((program: Command) => void)[] = [
  registerPlay,
  registerScreenshot,
  registerRoms,
];
