/**
 * Frame skip with max-pooling, grayscale and area-averaged resize, fused into one pass over the
 * screen because this runs on every agent step (ALE's defaults: skip 4, max over the last two
 * frames to undo sprite flicker, 84x84 grayscale). Rewards over the skipped frames are summed; a
 * frame that ends the episode ends the skip early.
 */
import type {
  BoxSpace,
  DiscreteSpace,
  Env,
  EnvState,
  ResetOptions,
  ResetResult,
  StepResult,
} from '../core.ts';
import { restoreState, stateOf } from '../envState.ts';
import { UserError } from '../errors.ts';

/** A frame-level environment whose observation is a screen of packed pixels (gray << 16 | code). */
export type ScreenEnv = Env<Uint32Array>;

export interface MaxAndSkipOptions {
  /** Emulator frames per agent step (ALE: 4). */
  skip?: number;
  /** Output width and height in pixels (ALE/Nature DQN: 84x84). */
  width?: number;
  height?: number;
  /**
   * The pixel work instead of one `PooledResize` of width x height (which `width` and `height`
   * then do not set): the two-player env pools each player's view of the screen.
   */
  pool?: ScreenPool;
}

/**
 * What an agent step's pixel work is asked, in this order: keep the frame before the last
 * (`remember`), then render the observation from the last (`render`, into a buffer it owns).
 */
export interface ScreenPool {
  /** The shape of what `render` returns, e.g. [84, 84]. */
  readonly shape: readonly number[];
  remember(screen: Uint32Array): void;
  render(current: Uint32Array): Uint8Array;
}

/**
 * Area averaging along one axis: destination cell j covers source [j*scale, (j+1)*scale), that is
 * the whole pixels [full0[j], full1[j]) plus a fraction of the pixel on each side.
 */
interface AxisMap {
  full0: Int32Array;
  full1: Int32Array;
  /** Share of pixel full0[j]-1 inside cell j (0 when there is none). */
  leftWeight: Float32Array;
  /** Share of pixel full1[j] inside cell j (0 when there is none). */
  rightWeight: Float32Array;
  scale: number;
}

function axisMap(source: number, target: number): AxisMap {
  const scale = source / target;
  const full0 = new Int32Array(target);
  const full1 = new Int32Array(target);
  const leftWeight = new Float32Array(target);
  const rightWeight = new Float32Array(target);
  const epsilon = 1e-9;
  for (let j = 0; j < target; j++) {
    const start = j * scale;
    const end = (j + 1) * scale;
    const first = Math.ceil(start - epsilon);
    const last = Math.floor(end + epsilon);
    full0[j] = first;
    full1[j] = Math.max(first, last);
    leftWeight[j] = first - start > epsilon ? first - start : 0;
    rightWeight[j] = end - last > epsilon && last < source ? end - last : 0;
  }
  return { full0, full1, leftWeight, rightWeight, scale };
}

/**
 * The pixel work of one agent step, apart from stepping: keeps the frame before the last
 * (`remember`) and renders max(that, last) in gray, area-averaged to width x height (`render`).
 * `MaxAndSkipObservation`'s pool by default; the two-player env's pool keeps one per player.
 */
export class PooledResize implements ScreenPool {
  /** [height, width]. */
  readonly shape: readonly number[];
  private readonly previous: Uint32Array;
  private readonly output: Uint8Array;
  /** Every source row reduced to `width` cells (sums, not yet normalised). */
  private readonly rowCells: Float32Array;
  private readonly xMap: AxisMap;
  private readonly yMap: AxisMap;

  constructor(
    readonly sourceWidth: number,
    readonly sourceHeight: number,
    readonly width: number,
    readonly height: number,
  ) {
    if (
      !(
        Number.isInteger(width) &&
        width >= 1 &&
        width <= sourceWidth &&
        Number.isInteger(height) &&
        height >= 1 &&
        height <= sourceHeight
      )
    ) {
      throw new UserError(
        `observation size must be between 1x1 and ${sourceWidth}x${sourceHeight}, got ${width}x${height}`,
      );
    }
    this.shape = [height, width];
    this.previous = new Uint32Array(sourceWidth * sourceHeight);
    this.output = new Uint8Array(width * height);
    this.rowCells = new Float32Array(sourceHeight * width);
    this.xMap = axisMap(sourceWidth, width);
    this.yMap = axisMap(sourceHeight, height);
  }

  /** Keeps a copy of `screen` as the frame the next `render` pools with. */
  remember(screen: Uint32Array): void {
    this.previous.set(screen);
  }

  /** max(remembered, current) in gray, area-averaged into the output (no allocation). */
  render(current: Uint32Array): Uint8Array {
    const previous = this.previous;
    const rows = this.rowCells;
    const width = this.width;
    const sourceWidth = this.sourceWidth;
    const { full0: x0, full1: x1, leftWeight: xl, rightWeight: xr } = this.xMap;
    // Pass 1: each source row, max-pooled (gray is the high half of a packed pixel, so the larger
    // packed pixel has the larger gray) and summed into `width` cells. A pixel that straddles two
    // cells is pooled once and shared.
    for (let y = 0, base = 0; y < this.sourceHeight; y++, base += sourceWidth) {
      const out = y * width;
      let carry = 0;
      for (let j = 0; j < width; j++) {
        const to = x1[j];
        let sum = 0;
        for (let i = base + x0[j], end = base + to; i < end; i++) {
          const a = current[i];
          const b = previous[i];
          sum += Math.max(a, b) >>> 16;
        }
        let value = sum + carry * xl[j];
        carry = 0;
        if (xr[j] > 0) {
          const a = current[base + to];
          const b = previous[base + to];
          carry = Math.max(a, b) >>> 16;
          value += carry * xr[j];
        }
        rows[out + j] = value;
      }
    }
    // Pass 2: the same along columns, then normalise by the cell area.
    const { full0: y0, full1: y1, leftWeight: yl, rightWeight: yr } = this.yMap;
    const norm = 1 / (this.xMap.scale * this.yMap.scale);
    const output = this.output;
    for (let i = 0; i < this.height; i++) {
      const from = y0[i];
      const to = y1[i];
      const top = yl[i];
      const bottom = yr[i];
      const out = i * width;
      for (let j = 0; j < width; j++) {
        let value = 0;
        for (let y = from; y < to; y++) value += rows[y * width + j];
        if (top > 0) value += rows[(from - 1) * width + j] * top;
        if (bottom > 0) value += rows[to * width + j] * bottom;
        const v = value * norm + 0.5;
        output[out + j] = Math.min(v, 255);
      }
    }
    return output;
  }
}

export class MaxAndSkipObservation implements Env<Uint8Array> {
  readonly observationSpace: BoxSpace;
  readonly skip: number;
  private readonly pool: ScreenPool;

  constructor(
    readonly env: ScreenEnv,
    options: MaxAndSkipOptions = {},
  ) {
    const skip = options.skip ?? 4;
    const width = options.width ?? 84;
    const height = options.height ?? 84;
    if (!Number.isInteger(skip) || skip < 1)
      throw new UserError(`frame skip must be an integer >= 1, got ${skip}`);
    const [sourceHeight, sourceWidth] = env.observationSpace.shape;
    this.pool = options.pool ?? new PooledResize(sourceWidth, sourceHeight, width, height);
    this.skip = skip;
    this.observationSpace = {
      kind: 'box',
      shape: this.pool.shape,
      low: 0,
      high: 255,
      dtype: 'uint8',
    };
  }

  get actionSpace(): DiscreteSpace {
    return this.env.actionSpace;
  }

  reset(options?: ResetOptions): ResetResult<Uint8Array> {
    const { observation, info } = this.env.reset(options);
    this.pool.remember(observation);
    return { observation: this.pool.render(observation), info };
  }

  step(action: number): StepResult<Uint8Array> {
    let total = 0;
    let result!: StepResult<Uint32Array>;
    for (let frame = 0; frame < this.skip; frame++) {
      result = this.env.step(action);
      total += result.reward;
      if (result.terminated || result.truncated) {
        // The episode ended on this frame: pool it with itself (there is no next frame).
        this.pool.remember(result.observation);
        break;
      }
      if (frame === this.skip - 2) this.pool.remember(result.observation);
    }
    if (this.skip === 1) this.pool.remember(result.observation);
    const output = this.pool.render(result.observation);
    const pooled = result as unknown as StepResult<Uint8Array>;
    pooled.observation = output;
    pooled.reward = total;
    return pooled;
  }

  close(): void {
    this.env.close();
  }

  /**
   * Nothing of its own: every step remembers the frame it pools before rendering, so nothing
   * carries from one step to the next. The inner env's state as is.
   */
  getState(): EnvState {
    return stateOf(this.env);
  }

  setState(state: EnvState): void {
    restoreState(this.env, state);
  }
}
