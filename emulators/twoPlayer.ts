/**
 * Two agents in one two-player game (Duel), each on its own controller and each seeing the game
 * from its own side. Controller 2's player gets the court mirrored left-right (the raw screen is
 * flipped before ALE's preprocessing, and RAM as the manifest's `ram.mirror` says), and its own
 * points as its score and reward. So an agent trained on controller 1 against the built-in
 * computer plays either side unchanged.
 *
 * ALE's conventions are the single-player stack's wrappers (wrappers/), one implementation each,
 * applied to both players at once: sticky actions drawn on every emulated frame (as ALE does)
 * from each player's own seeded stream (`StickyAction` with a stream per controller), frame skip
 * with max-pooling to 84x84 gray (`MaxAndSkipObservation`, pooling each player's view), a 4-frame
 * stack per player (`FrameStackObservation`), no-op starts with both players idle (`NoopStart`)
 * and the frame cap (`TimeLimit`). Both players choose, then the emulator runs `frameSkip`
 * frames; on each, each controller holds its player's new action unless that player's draw
 * repeats the previous one. This file's own parts are the two-controller step and player 2's
 * mirrored view.
 *
 * When the manifest's `controller2` setting is `computer`, the game's own computer plays the
 * right paddle and controller 2 is ignored: a player against the computer is side 1 of such an
 * environment.
 */
import { buttonMasksOf, controllerAction, packControllers } from './actions.ts';
import type {
  BoxSpace,
  DiscreteSpace,
  Env,
  ResetOptions,
  ResetResult,
  StepInfo,
  StepResult,
} from './core.ts';
import { formatZodError, UserError } from './errors.ts';
import { loadGame, type ManifestEntry } from './manifest/index.ts';
import type { RamMirror } from './manifest/schema.ts';
import { NesEnv } from './nes/nesEnv.ts';
import { atariOptionsSchema } from './wrappers/atariPreprocessing.ts';
import { FrameStackObservation } from './wrappers/frameStackObservation.ts';
import {
  MaxAndSkipObservation,
  PooledResize,
  type ScreenEnv,
  type ScreenPool,
} from './wrappers/maxAndSkipObservation.ts';
import { NoopStart } from './wrappers/noopStart.ts';
import { StickyAction } from './wrappers/stickyAction.ts';
import { gameSeedOf } from './wrappers/streamSeeding.ts';
import { TimeLimit } from './wrappers/timeLimit.ts';

export type Side = 1 | 2;

export interface TwoPlayerEnvOptions {
  /** A two-player manifest id, e.g. `duel`. */
  game: string;
  /** Game settings; Duel's `controller2` decides whether controller 2 or the computer plays. */
  settings?: Record<string, string>;
  frameSkip?: number;
  screenSize?: number;
  frameStack?: number;
  stickyActionProbability?: number;
  noopMax?: number;
  maxEpisodeFrames?: number;
  /** Controller 2's player sees the court mirrored (default true). */
  mirrorSide2?: boolean;
  /** Called after every emulator frame with the action index each controller held. */
  onFrame?: (action1: number, action2: number) => void;
}

/** What one player is told after a reset or a step. */
export interface SideInfo extends StepInfo {
  /** This player's own points (`score`) and the other player's. */
  opponentScore: number;
  side: Side;
}

export interface SideView {
  /** [frameStack, size, size] uint8, this player's view; valid until the next step or reset. */
  observation: Uint8Array;
  /** Change in own points minus change in the opponent's (Duel's `scoreDifference`) this step. */
  reward: number;
  info: SideInfo;
}

export interface TwoPlayerStep {
  /** Side 1 (controller 1, left) first. */
  sides: [SideView, SideView];
  terminated: boolean;
  truncated: boolean;
}

/** Flips each row of a width x height screen left-right into `out`. */
export function mirrorScreen(
  screen: Uint32Array,
  out: Uint32Array,
  width: number,
  height: number,
): Uint32Array {
  for (let y = 0, row = 0; y < height; y++, row += width) {
    for (let x = 0, from = row + width - 1; x < width; x++, from--) out[row + x] = screen[from];
  }
  return out;
}

/** Writes RAM as the second player sees it (see `RamMirror`) into `out`. */
export function mirrorRam(mirror: RamMirror, ram: Uint8Array, out: Uint8Array): Uint8Array {
  out.set(ram);
  for (const [a, b] of mirror.swap) {
    out[a] = ram[b];
    out[b] = ram[a];
  }
  for (const { address, width } of mirror.reflectX) {
    out[address] = (256 - width - out[address]) & 0xff;
  }
  for (const { low, high } of mirror.negate16) {
    const negated = -((out[high] << 8) | out[low]) & 0xffff;
    out[low] = negated & 0xff;
    out[high] = negated >> 8;
  }
  for (const { address, values } of mirror.swapValues) {
    if (out[address] === values[0]) out[address] = values[1];
    else if (out[address] === values[1]) out[address] = values[0];
  }
  return out;
}

/**
 * The two-controller step, one emulator frame: the action is both controllers' action indices
 * (`packControllers`); controller 2 is set, then the base env runs the frame with controller 1.
 * Observation, reward (controller 1's) and info are the base env's, `executedAction` the packed
 * pair that ran. `onFrame` hears each frame's pair (what a match records).
 */
class TwoControllerFrames implements ScreenEnv {
  /** The game seed the last reset wrote into the game. */
  gameSeed = 0;

  constructor(
    readonly base: NesEnv,
    private readonly onFrame: TwoPlayerEnvOptions['onFrame'],
  ) {}

  get observationSpace(): BoxSpace {
    return this.base.observationSpace;
  }

  /** One controller's actions; an action of this env packs one for each controller. */
  get actionSpace(): DiscreteSpace {
    return this.base.actionSpace;
  }

  reset(options?: ResetOptions): ResetResult<Uint32Array> {
    const start = this.base.reset(options);
    this.gameSeed = gameSeedOf(start.info);
    return start;
  }

  step(controllers: number): StepResult<Uint32Array> {
    const action1 = controllerAction(controllers, 0);
    const action2 = controllerAction(controllers, 1);
    this.base.setController2(action2);
    const result = this.base.step(action1);
    this.onFrame?.(action1, action2);
    result.info.executedAction = controllers;
    return result;
  }

  close(): void {
    this.base.close();
  }
}

interface SidePoolsOptions {
  sourceWidth: number;
  sourceHeight: number;
  /** Output side in pixels. */
  size: number;
  /** Player 2 sees the screen mirrored left-right. */
  mirrorSide2: boolean;
}

/**
 * Each player's pixel work (a `PooledResize` each), player 2's on the screen mirrored before
 * pooling; renders both players' frames, player 1's first ([2, size, size]). A mirrored copy is
 * made only of the screens the pools read.
 */
class SidePools implements ScreenPool {
  readonly shape: readonly number[];
  private readonly pools: [PooledResize, PooledResize];
  /** Player 2's screen (null: unmirrored, the machine's own). */
  private readonly mirrored: Uint32Array | null;
  private readonly output: Uint8Array;
  private readonly frameSize: number;

  constructor(private readonly options: SidePoolsOptions) {
    const { sourceWidth, sourceHeight, size } = options;
    const pool = () => new PooledResize(sourceWidth, sourceHeight, size, size);
    this.pools = [pool(), pool()];
    this.mirrored = options.mirrorSide2 ? new Uint32Array(sourceWidth * sourceHeight) : null;
    this.frameSize = size * size;
    this.output = new Uint8Array(2 * this.frameSize);
    this.shape = [2, size, size];
  }

  remember(screen: Uint32Array): void {
    this.pools[0].remember(screen);
    this.pools[1].remember(this.side2(screen));
  }

  render(current: Uint32Array): Uint8Array {
    this.output.set(this.pools[0].render(current), 0);
    this.output.set(this.pools[1].render(this.side2(current)), this.frameSize);
    return this.output;
  }

  private side2(screen: Uint32Array): Uint32Array {
    if (!this.mirrored) return screen;
    return mirrorScreen(screen, this.mirrored, this.options.sourceWidth, this.options.sourceHeight);
  }
}

export class TwoPlayerEnv {
  readonly base: NesEnv;
  readonly entry: ManifestEntry;
  readonly actionSpace: DiscreteSpace;
  readonly observationSpace: BoxSpace;
  /** Whether controller 2 plays (false: the game's computer plays the right paddle). */
  readonly controller2Plays: boolean;
  readonly frameSkip: number;
  readonly maxEpisodeFrames: number;
  readonly masks: Uint8Array;

  private readonly frames: TwoControllerFrames;
  private readonly stack: FrameStackObservation;
  /** The whole stack of conventions, outermost layer. */
  private readonly game: Env<Uint8Array>;
  private readonly mirrorSide2: boolean;
  private readonly mirrorRamSpec: RamMirror | undefined;
  private readonly ramCopy = new Uint8Array(0x800);
  /** Each side's points after the last reset or step. */
  private readonly lastScores = [0, 0];
  private done = true;
  private readonly result: TwoPlayerStep;

  constructor(options: TwoPlayerEnvOptions) {
    const { entry, bytes } = loadGame(options.game);
    if (entry.players !== 2) {
      throw new UserError(`${entry.id} is a one-player game; matches need two players`, 'BAD_GAME');
    }
    const parsed = atariOptionsSchema.safeParse({
      frameSkip: options.frameSkip,
      screenSize: options.screenSize,
      frameStack: options.frameStack,
      stickyActionProbability: options.stickyActionProbability,
      noopMax: options.noopMax,
      maxEpisodeFrames: options.maxEpisodeFrames,
    });
    if (!parsed.success) {
      const problems = formatZodError(parsed.error, 'options');
      throw new UserError(`bad environment options: ${problems}`, 'BAD_OPTION');
    }
    const o = parsed.data;
    this.mirrorSide2 = options.mirrorSide2 ?? true;
    this.entry = entry;
    this.base = new NesEnv({ entry, rom: bytes, settings: options.settings });
    this.controller2Plays = (options.settings?.controller2 ?? 'computer') !== 'computer';
    this.actionSpace = this.base.actionSpace;
    this.masks = buttonMasksOf(this.actionSpace.names);
    if (this.actionSpace.names[0] !== 'NOOP') {
      throw new UserError(`${entry.id}: action 0 must be NOOP for no-op starts`, 'BAD_GAME');
    }
    this.frameSkip = o.frameSkip;
    this.maxEpisodeFrames = o.maxEpisodeFrames;
    this.mirrorRamSpec = entry.ram.mirror;
    this.observationSpace = {
      kind: 'box',
      shape: [o.frameStack, o.screenSize, o.screenSize],
      low: 0,
      high: 255,
      dtype: 'uint8',
    };

    // Inner to outer. The order differs from atariPreprocessing's in two places, both as the
    // matches played so far (their replays and ratings) were. The frame cap is checked on every
    // frame, under the frame skip: a cap that is no multiple of the skip ends the match on its
    // frame, and the step it ends pools its last frame with itself. The no-op start steps the
    // frame stacks: the first observation holds the frames before the no-ops too. Each side's
    // streams restart on every reset, so a match plays again from its game seed alone.
    this.frames = new TwoControllerFrames(this.base, options.onFrame);
    const sticky =
      o.stickyActionProbability > 0
        ? new StickyAction(this.frames, o.stickyActionProbability, {
            streams: ['sticky:1', 'sticky:2'],
            seeding: 'everyEpisode',
          })
        : this.frames;
    const [sourceHeight, sourceWidth] = this.base.observationSpace.shape;
    const skipped = new MaxAndSkipObservation(new TimeLimit(sticky, o.maxEpisodeFrames), {
      skip: o.frameSkip,
      pool: new SidePools({
        sourceWidth,
        sourceHeight,
        size: o.screenSize,
        mirrorSide2: this.mirrorSide2,
      }),
    });
    this.stack = new FrameStackObservation(skipped, o.frameStack, { players: 2 });
    this.game =
      o.noopMax > 0
        ? new NoopStart(this.stack, o.noopMax, {
            seeding: 'everyEpisode',
            onEndedDuringNoops: () => {
              throw new UserError(`${entry.id}: the game ended during no-op starts`);
            },
          })
        : this.stack;

    const view = (side: Side): SideView => ({
      observation: this.stack.stacks[side - 1],
      reward: 0,
      info: { side, score: 0, opponentScore: 0, lives: 0, episodeFrame: 0, executedAction: 0 },
    });
    this.result = { sides: [view(1), view(2)], terminated: false, truncated: false };
  }

  /** The game seed the last reset wrote into the game (what a replay resets with). */
  get gameSeed(): number {
    return this.frames.gameSeed;
  }

  /**
   * The RAM a side's agent reads (scripted agents): the machine's own for side 1, a mirrored copy
   * for side 2 (made on each call, so call it once per decision).
   */
  ramOf(side: Side): () => Uint8Array {
    if (side === 1 || !this.mirrorSide2) return () => this.base.machine.ram;
    const spec = this.mirrorRamSpec;
    if (!spec) {
      throw new UserError(
        `${this.entry.id} has no ram.mirror in its manifest, so RAM-reading agents cannot play controller 2`,
        'BAD_GAME',
      );
    }
    return () => mirrorRam(spec, this.base.machine.ram, this.ramCopy);
  }

  /** Resets the game (seed: game seed, sticky actions and no-op starts), then the no-op start. */
  reset(options: { seed?: number } = {}): TwoPlayerStep {
    // Until this reset succeeds there is no match to step (a game over in the no-ops fails it).
    this.done = true;
    const { info } = this.game.reset({ seed: options.seed });
    this.lastScores[0] = info.score;
    this.lastScores[1] = Number(info.opponentScore ?? 0);
    this.writeSides(info, 0, 0);
    this.result.terminated = false;
    this.result.truncated = false;
    this.done = false;
    return this.result;
  }

  /** Both players' actions (indices into `actionSpace`) for one agent step. */
  step(action1: number, action2: number): TwoPlayerStep {
    if (this.done) throw new UserError('the match is over: reset before stepping', 'BAD_STATE');
    this.checkAction(action1);
    this.checkAction(action2);
    const step = this.game.step(packControllers(action1, action2));
    const score1 = step.info.score;
    const score2 = Number(step.info.opponentScore ?? 0);
    // Each side's reward over the step's frames: per-frame changes in points add up to the change
    // over the step, exactly (points are integers).
    const gained1 = score1 - this.lastScores[0];
    const gained2 = score2 - this.lastScores[1];
    this.lastScores[0] = score1;
    this.lastScores[1] = score2;
    const difference = this.entry.reward === 'scoreDifference';
    this.writeSides(
      step.info,
      difference ? gained1 - gained2 : gained1,
      difference ? gained2 - gained1 : gained2,
    );
    this.done = step.terminated || step.truncated;
    this.result.terminated = step.terminated;
    this.result.truncated = step.truncated;
    return this.result;
  }

  close(): void {
    this.game.close();
  }

  private checkAction(action: number): void {
    if (!(Number.isInteger(action) && action >= 0 && action < this.actionSpace.n)) {
      throw new UserError(`action ${action} is outside 0..${this.actionSpace.n - 1}`, 'BAD_ACTION');
    }
  }

  private writeSides(info: StepInfo, reward1: number, reward2: number): void {
    const [left, right] = this.result.sides;
    left.reward = reward1;
    right.reward = reward2;
    left.info.score = right.info.opponentScore = this.lastScores[0];
    right.info.score = left.info.opponentScore = this.lastScores[1];
    left.info.episodeFrame = right.info.episodeFrame = info.episodeFrame;
    left.info.executedAction = controllerAction(info.executedAction, 0);
    right.info.executedAction = controllerAction(info.executedAction, 1);
  }
}
