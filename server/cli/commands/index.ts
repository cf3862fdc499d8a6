import type { Command } from 'commander';

/** Every CLI command module; each adds its command(s) to the program. */
export const commandModules: ((program: Command) => void)[] = [];
