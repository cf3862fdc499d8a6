/**
 * Two agents in one two-player game (Duel), each on its own controller and each seeing the game
 * from its own side. Controller 2's player gets the court mirrored left-right (the raw screen is
 * flipped before ALE's preprocessing, and RAM as the manifest's `ram.mirror` says), and its own
 * points as its score and reward. So an agent trained on controller 1 against the built-in
 * computer plays either side unchanged.
 *
 * ALE's conventions apply per player as in the single-player stack (`atariPreprocessing`): frame
 * skip with max-pooling, 84x84 gray, a 4-frame stack, sticky actions drawn on every emulated
 * frame (as ALE does) from each player's own seeded stream, no-op starts (both players idle) and
 * the frame cap. Both players choose, then the emulator runs `frameSkip` frames; on each, each
 * controller holds its player's new action unless that player's draw repeats the previous one.
 *
 * When the manifest's `controller2` setting is `computer`, the game's own computer plays the
 * right paddle and controller 2 is ignored: a player against the computer is side 1 of such an
 * environment.
 */
import { buttonMasksOf } from './actions.ts';
import type { BoxSpace, DiscreteSpace, StepInfo } from './core.ts';
import { formatZodError, UserError } from './errors.ts';
import { loadGame, type ManifestEntry } from './manifest/index.ts';
import type { RamMirror } from './manifest/schema.ts';
import { NesEnv } from './nes/nesEnv.ts';
import { deriveSeed, Rng } from './rng.ts';
import { atariOptionsSchema } from './wrappers/atariPreprocessing.ts';
import { PooledResize } from './wrappers/maxAndSkipObservation.ts';

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

interface Player {
  side: Side;
  pool: PooledResize;
  stack: Uint8Array;
  /** The screen this player sees (side 2: a mirrored copy; side 1: the machine's own). */
  mirrored: Uint32Array | null;
  sticky: Rng;
  previousAction: number;
  view: SideView;
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
  /** The game seed the last reset wrote into the game (what a replay resets with). */
  gameSeed = 0;

  private readonly options: Required<Omit<TwoPlayerEnvOptions, 'game' | 'settings' | 'onFrame'>>;
  private readonly players: [Player, Player];
  private readonly noop = new Rng(0);
  private readonly frameSize: number;
  private readonly mirrorRamSpec: RamMirror | undefined;
  private readonly ramCopy = new Uint8Array(0x800);
  private readonly onFrame: TwoPlayerEnvOptions['onFrame'];
  private lastScores = [0, 0];
  private episodeFrame = 0;
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
    this.options = { ...o, mirrorSide2: options.mirrorSide2 ?? true };
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
    this.onFrame = options.onFrame;
    this.mirrorRamSpec = entry.ram.mirror;
    const [sourceHeight, sourceWidth] = this.base.observationSpace.shape;
    this.frameSize = o.screenSize * o.screenSize;
    this.observationSpace = {
      kind: 'box',
      shape: [o.frameStack, o.screenSize, o.screenSize],
      low: 0,
      high: 255,
      dtype: 'uint8',
    };
    const player = (side: Side): Player => {
      const stack = new Uint8Array(o.frameStack * this.frameSize);
      return {
        side,
        pool: new PooledResize(sourceWidth, sourceHeight, o.screenSize, o.screenSize),
        stack,
        mirrored:
          side === 2 && this.options.mirrorSide2
            ? new Uint32Array(sourceWidth * sourceHeight)
            : null,
        sticky: new Rng(0),
        previousAction: 0,
        view: {
          observation: stack,
          reward: 0,
          info: {
            side,
            score: 0,
            opponentScore: 0,
            lives: 0,
            episodeFrame: 0,
            executedAction: 0,
          },
        },
      };
    };
    this.players = [player(1), player(2)];
    this.result = {
      sides: [this.players[0].view, this.players[1].view],
      terminated: false,
      truncated: false,
    };
  }

  /**
   * The RAM a side's agent reads (scripted agents): the machine's own for side 1, a mirrored copy
   * for side 2 (made on each call, so call it once per decision).
   */
  ramOf(side: Side): () => Uint8Array {
    if (side === 1 || !this.options.mirrorSide2) return () => this.base.machine.ram;
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
    const seed = options.seed;
    const start = this.base.reset({ seed });
    this.gameSeed = Number(start.info.seed ?? 0);
    const streams = seed ?? this.gameSeed;
    this.noop.seed(deriveSeed(streams, 'noop'));
    for (const p of this.players) {
      p.sticky.seed(deriveSeed(streams, `sticky:${p.side}`));
      p.previousAction = 0;
      const screen = this.screenFor(p, start.observation);
      p.pool.remember(screen);
      const frame = p.pool.render(screen);
      for (let k = 0; k < this.options.frameStack; k++) p.stack.set(frame, k * this.frameSize);
      p.view.reward = 0;
    }
    this.lastScores = [start.info.score, Number(start.info.opponentScore ?? 0)];
    this.episodeFrame = 0;
    this.writeInfo(0, 0);
    this.done = false;
    const noops = this.noop.int(this.options.noopMax + 1);
    for (let i = 0; i < noops && !this.done; i++) this.advance(0, 0, false);
    for (const p of this.players) p.view.reward = 0;
    this.result.terminated = false;
    this.result.truncated = false;
    if (this.done) throw new UserError(`${this.entry.id}: the game ended during no-op starts`);
    return this.result;
  }

  /** Both players' actions (indices into `actionSpace`) for one agent step. */
  step(action1: number, action2: number): TwoPlayerStep {
    if (this.done) throw new UserError('the match is over: reset before stepping', 'BAD_STATE');
    for (const a of [action1, action2]) {
      if (!(Number.isInteger(a) && a >= 0 && a < this.actionSpace.n)) {
        throw new UserError(`action ${a} is outside 0..${this.actionSpace.n - 1}`, 'BAD_ACTION');
      }
    }
    return this.advance(action1, action2, true);
  }

  close(): void {
    this.base.close();
  }

  private sticky(p: Player, action: number): number {
    const probability = this.options.stickyActionProbability;
    if (probability > 0 && p.sticky.next() < probability) return p.previousAction;
    p.previousAction = action;
    return action;
  }

  private screenFor(p: Player, screen: Uint32Array): Uint32Array {
    if (!p.mirrored) return screen;
    const [height, width] = this.base.observationSpace.shape;
    return mirrorScreen(screen, p.mirrored, width, height);
  }

  /**
   * Runs one agent step of `frameSkip` frames with the players' chosen actions, each frame's
   * controllers after sticky actions.
   */
  private advance(chosen1: number, chosen2: number, countsAsStep: boolean): TwoPlayerStep {
    const base = this.base;
    const skip = this.frameSkip;
    const rewards = [0, 0];
    let terminated = false;
    let truncated = false;
    let screen = base.machine.screen;
    let executed1 = 0;
    let executed2 = 0;
    for (let frame = 0; frame < skip; frame++) {
      executed1 = this.sticky(this.players[0], chosen1);
      executed2 = this.sticky(this.players[1], chosen2);
      base.setController2(executed2);
      const result = base.step(executed1);
      this.onFrame?.(executed1, executed2);
      const mine = result.info.score;
      const theirs = Number(result.info.opponentScore ?? 0);
      const gained1 = mine - this.lastScores[0];
      const gained2 = theirs - this.lastScores[1];
      this.lastScores[0] = mine;
      this.lastScores[1] = theirs;
      const difference = this.entry.reward === 'scoreDifference';
      rewards[0] += difference ? gained1 - gained2 : gained1;
      rewards[1] += difference ? gained2 - gained1 : gained2;
      screen = result.observation;
      this.episodeFrame = result.info.episodeFrame;
      terminated = result.terminated;
      truncated = !terminated && this.episodeFrame >= this.maxEpisodeFrames;
      if (terminated || truncated) {
        // Ended on this frame: pool it with itself, as MaxAndSkipObservation does.
        for (const p of this.players) p.pool.remember(this.screenFor(p, screen));
        break;
      }
      if (frame === skip - 2) {
        for (const p of this.players) p.pool.remember(this.screenFor(p, screen));
      }
    }
    for (const [i, p] of this.players.entries()) {
      const view = this.screenFor(p, screen);
      if (skip === 1) p.pool.remember(view);
      const frame = p.pool.render(view);
      p.stack.copyWithin(0, this.frameSize);
      p.stack.set(frame, (this.options.frameStack - 1) * this.frameSize);
      p.view.reward = countsAsStep ? rewards[i] : 0;
    }
    this.writeInfo(executed1, executed2);
    this.done = terminated || truncated;
    this.result.terminated = terminated;
    this.result.truncated = truncated;
    return this.result;
  }

  private writeInfo(executed1: number, executed2: number): void {
    const [left, right] = this.players;
    left.view.info.score = right.view.info.opponentScore = this.lastScores[0];
    right.view.info.score = left.view.info.opponentScore = this.lastScores[1];
    left.view.info.episodeFrame = right.view.info.episodeFrame = this.episodeFrame;
    left.view.info.executedAction = executed1;
    right.view.info.executedAction = executed2;
  }
}
