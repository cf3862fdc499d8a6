/**
 * The base NES environment: one `step` is one emulator frame, the observation is the screen as
 * colour codes (no copy), the reward is the change in the score the manifest locates in RAM, and
 * the episode ends when the manifest's game-over condition holds. ALE's conventions (frame skip,
 * grayscale, resize, stacking, sticky actions, no-op starts, the frame cap) are wrappers on top.
 */
import { z } from 'zod';
import { buttonMasksOf, FULL_ACTION_SET } from '../actions.ts';
import type {
  BoxSpace,
  DiscreteSpace,
  Env,
  ResetOptions,
  ResetResult,
  StepInfo,
  StepResult,
} from '../core.ts';
import { copyInfo, infoSchema, parseLayerState, rngStateSchema } from '../envState.ts';
import { UserError } from '../errors.ts';
import { type ManifestEntry, readRamValue } from '../manifest/index.ts';
import { Rng } from '../rng.ts';
import { Button, type MachineState, NesMachine, SCREEN_HEIGHT, SCREEN_WIDTH } from './machine.ts';
import { packMachineState, unpackMachineState } from './machineStateCodec.ts';

export interface NesEnvOptions {
  entry: ManifestEntry;
  rom: Uint8Array;
  /** `minimal` (the manifest's set, default), `full`, or explicit action names. */
  actions?: 'minimal' | 'full' | readonly string[];
  /** Values for the manifest's settings by name, e.g. `{ opponentLevel: 'hard' }`. */
  settings?: Record<string, string>;
}

export class NesEnv implements Env<Uint32Array> {
  readonly machine: NesMachine;
  readonly entry: ManifestEntry;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;

  private readonly masks: Uint8Array;
  private readonly settingValues: Record<string, number>;
  /** The machine after the boot's leading `wait` steps, which no seed or setting affects. */
  private readonly bootSnapshot: MachineState;
  /** Index of the first boot step after the snapshot. */
  private readonly bootResume: number;
  private readonly rng = new Rng(0);
  private controller2Mask = 0;
  private lastScore = 0;
  private lastOpponentScore = 0;
  private readonly info: StepInfo = {
    lives: 0,
    episodeFrame: 0,
    score: 0,
    executedAction: 0,
    opponentScore: 0,
  };
  private readonly result: StepResult<Uint32Array>;

  constructor(options: NesEnvOptions) {
    this.entry = options.entry;
    this.machine = new NesMachine(options.rom, options.entry.id);
    if (this.machine.rom.sha1 !== options.entry.sha1) {
      throw new UserError(
        `ROM SHA-1 ${this.machine.rom.sha1} does not match the manifest entry "${options.entry.id}" (${options.entry.sha1})`,
        'ROM_MISMATCH',
      );
    }
    const names =
      options.actions === undefined || options.actions === 'minimal'
        ? options.entry.actions
        : options.actions === 'full'
          ? FULL_ACTION_SET
          : options.actions;
    this.masks = buttonMasksOf(names);
    this.actionSpace = { kind: 'discrete', n: names.length, names: [...names] };
    this.observationSpace = {
      kind: 'box',
      shape: [SCREEN_HEIGHT, SCREEN_WIDTH],
      low: 0,
      high: 0xffffff,
      dtype: 'colour-code',
    };
    this.settingValues = resolveSettings(options.entry, options.settings ?? {});
    let resume = 0;
    for (const step of this.entry.boot) {
      if (!('wait' in step)) break;
      for (let i = 0; i < step.wait; i++) this.machine.frame();
      resume++;
    }
    this.bootResume = resume;
    this.bootSnapshot = this.machine.saveState();
    this.result = {
      observation: this.machine.screen,
      reward: 0,
      terminated: false,
      truncated: false,
      info: this.info,
    };
  }

  /**
   * Powers on afresh, writes the seed and settings, and plays the boot sequence up to play. The
   * leading waits of the boot are played once, at construction, and restored from a snapshot.
   */
  reset(options: ResetOptions = {}): ResetResult<Uint32Array> {
    if (options.seed !== undefined) this.rng.seed(options.seed);
    const gameSeed = options.seed !== undefined ? options.seed & 0xffff : this.rng.int(0x10000);
    const machine = this.machine;
    machine.loadState(this.bootSnapshot);
    machine.setButtons(1, 0);
    machine.setButtons(2, 0);
    this.controller2Mask = 0;
    for (const step of this.entry.boot.slice(this.bootResume)) {
      if ('wait' in step) {
        for (let i = 0; i < step.wait; i++) machine.frame();
      } else if ('press' in step) {
        let mask = 0;
        for (const button of step.press) mask |= 1 << Button[button];
        machine.setButtons(step.controller, mask);
        for (let i = 0; i < step.frames; i++) machine.frame();
        machine.setButtons(step.controller, 0);
      } else if ('poke' in step) {
        const value =
          step.value === 'seedLow'
            ? gameSeed & 0xff
            : step.value === 'seedHigh'
              ? gameSeed >> 8
              : typeof step.value === 'number'
                ? step.value
                : this.settingValues[step.value.slice('setting:'.length)];
        machine.writeRam(step.poke, value);
      } else {
        const { address, equals, mask } = step.waitUntil;
        let frames = 0;
        while ((machine.readRam(address) & mask) !== equals) {
          if (++frames > step.maxFrames) {
            throw new UserError(
              `${this.entry.id}: boot did not reach play: RAM $${address.toString(16)} never equalled ${equals} within ${step.maxFrames} frames`,
              'BOOT_FAILED',
            );
          }
          machine.frame();
        }
      }
    }
    this.lastScore = this.readScore();
    this.lastOpponentScore = this.readOpponentScore();
    const info = this.info;
    info.episodeFrame = 0;
    info.score = this.lastScore;
    info.opponentScore = this.lastOpponentScore;
    info.lives = this.readLives();
    info.executedAction = 0;
    info.seed = gameSeed;
    return { observation: machine.screen, info };
  }

  /** Presses `action` on controller 1 for one frame. */
  step(action: number): StepResult<Uint32Array> {
    const mask = this.masks[action];
    if (mask === undefined) {
      throw new UserError(`action ${action} is outside 0..${this.actionSpace.n - 1}`, 'BAD_ACTION');
    }
    const machine = this.machine;
    machine.setButtons(1, mask);
    machine.setButtons(2, this.controller2Mask);
    machine.frame();
    const score = this.readScore();
    const opponentScore = this.readOpponentScore();
    const result = this.result;
    const info = this.info;
    result.reward =
      this.entry.reward === 'scoreDifference'
        ? score - this.lastScore - (opponentScore - this.lastOpponentScore)
        : score - this.lastScore;
    this.lastScore = score;
    this.lastOpponentScore = opponentScore;
    const over = this.entry.ram.gameOver;
    result.terminated = (machine.readRam(over.address) & over.mask) === over.equals;
    result.truncated = false;
    result.observation = machine.screen;
    info.score = score;
    info.opponentScore = opponentScore;
    info.lives = this.readLives();
    info.episodeFrame++;
    info.executedAction = action;
    return result;
  }

  /** Sets the action controller 2 holds from the next frame on (two-player games). */
  setController2(action: number): void {
    const mask = this.masks[action];
    if (mask === undefined)
      throw new UserError(`controller 2 action ${action} is out of range`, 'BAD_ACTION');
    this.controller2Mask = mask;
  }

  close(): void {}

  readScore(): number {
    return readRamValue(this.machine.ram, this.entry.ram.score);
  }

  readOpponentScore(): number {
    const spec = this.entry.ram.opponentScore;
    return spec ? readRamValue(this.machine.ram, spec) : 0;
  }

  readLives(): number {
    const spec = this.entry.ram.lives;
    return spec ? readRamValue(this.machine.ram, spec) : 0;
  }

  /** Everything needed to continue this episode exactly: the machine and the env's counters. */
  saveState(): NesEnvState {
    return {
      machine: this.machine.saveState(),
      rng: this.rng.getState(),
      lastScore: this.lastScore,
      lastOpponentScore: this.lastOpponentScore,
      controller2Mask: this.controller2Mask,
      info: { ...this.info },
    };
  }

  loadState(state: NesEnvState): void {
    this.machine.loadState(state.machine);
    this.rng.setState(state.rng);
    this.lastScore = state.lastScore;
    this.lastOpponentScore = state.lastOpponentScore;
    this.controller2Mask = state.controller2Mask;
    for (const key of Object.keys(this.info)) if (!(key in state.info)) delete this.info[key];
    Object.assign(this.info, state.info);
  }

  /**
   * `saveState` in JSON form for checkpoints (see envState.ts): the machine snapshot packed
   * (machineStateCodec.ts), the rest as is, tagged with the layer and the game.
   */
  getState(): NesEnvSavedState {
    const state = this.saveState();
    return {
      layer: 'nes',
      game: this.entry.id,
      machine: packMachineState(state.machine),
      rng: state.rng,
      lastScore: state.lastScore,
      lastOpponentScore: state.lastOpponentScore,
      controller2Mask: state.controller2Mask,
      info: copyInfo(state.info, 'nes env'),
    };
  }

  setState(state: unknown): void {
    const saved = parseLayerState(nesEnvSavedStateSchema, state, 'nes');
    if (saved.game !== this.entry.id) {
      throw new UserError(
        `cannot restore a ${saved.game} env state into a ${this.entry.id} env`,
        'BAD_ENV_STATE',
      );
    }
    const machine = unpackMachineState(saved.machine);
    this.loadState({ ...saved, machine, info: saved.info });
  }
}

const nesEnvSavedStateSchema = z
  .object({
    layer: z.literal('nes'),
    game: z.string(),
    machine: z.string(),
    rng: rngStateSchema,
    lastScore: z.number(),
    lastOpponentScore: z.number(),
    controller2Mask: z.number().int().min(0).max(255),
    info: infoSchema,
  })
  .strict();

/** A `NesEnv`'s state as `getState` returns it (JSON-safe). */
export type NesEnvSavedState = z.infer<typeof nesEnvSavedStateSchema>;

export interface NesEnvState {
  machine: MachineState;
  rng: ReturnType<Rng['getState']>;
  lastScore: number;
  lastOpponentScore: number;
  controller2Mask: number;
  info: StepInfo;
}

function resolveSettings(
  entry: ManifestEntry,
  given: Record<string, string>,
): Record<string, number> {
  const values: Record<string, number> = {};
  for (const name of Object.keys(given)) {
    if (!(name in entry.settings)) {
      throw new UserError(
        `${entry.id} has no setting "${name}"; its settings: ${Object.keys(entry.settings).join(', ') || 'none'}`,
        'BAD_SETTING',
      );
    }
  }
  for (const [name, setting] of Object.entries(entry.settings)) {
    const choice = given[name] ?? setting.default;
    const value = setting.values[choice];
    if (value === undefined) {
      throw new UserError(
        `${entry.id}: setting ${name} must be one of ${Object.keys(setting.values).join(', ')} (got "${choice}")`,
        'BAD_SETTING',
      );
    }
    values[name] = value;
  }
  return values;
}
