import type { Command } from 'commander';
import { register as registerAgentCheck } from './agentCheck.ts';
import { register as registerAgentExport } from './agentExport.ts';
import { register as registerEval } from './eval.ts';
import { register as registerPlay } from './play.ts';
import { register as registerPlot } from './plot.ts';
import { register as registerRoms } from './roms.ts';
import { register as registerScreenshot } from './screenshot.ts';
import { register as registerServe } from './serve.ts';
import { register as registerSubmit } from './submit.ts';
import { register as registerTrain } from './train.ts';

/** Every CLI command module; each adds its command(s) to the program. */
export const commandModules: ((program: Command) => void)[] = [
  registerPlay,
  registerScreenshot,
  registerRoms,
  registerTrain,
  registerEval,
  registerAgentCheck,
  registerAgentExport,
  registerPlot,
  registerServe,
  registerSubmit,
];
