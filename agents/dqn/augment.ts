/**
 * Random-shift augmentation of replay batches (DrQ: Kostrikov, Yarats and Fergus 2020; RAD:
 * Laskin et al. 2020): every observation of a sampled batch moves by a whole number of pixels,
 * dx and dy drawn uniformly from [-pad, pad], as if the 84x84 frame had been padded by `pad`
 * pixels repeating its edges and an 84x84 window cut from it at random. All frames of one stack
 * move together (the stack still shows motion); each observation, current and next, gets its
 * own shift, as DrQ's DQN does.
 *
 * Why: a Q-value that a few pixels of translation cannot change is what a screen game needs, and
 * learning it from shifted copies makes each stored transition teach more (DrQ's gain on the
 * Atari 100k benchmark). On Brick's 60-minute recipe it learned far slower instead
 * (docs/experiments/brick-dqn.md), so it is off by default. Evaluation and acting never see shifted frames.
 *
 * The batch is NHWC float32 [batch, height, width, channels] and is shifted in place, row by row
 * with typed-array copies; one scratch observation is the only memory it keeps.
 */
import type { Rng } from '../../emulators/rng.ts';

export class RandomShift {
  private readonly scratch: Float32Array;
  private readonly rowFloats: number;

  constructor(
    readonly pad: number,
    readonly height: number,
    readonly width: number,
    readonly channels: number,
  ) {
    if (!Number.isInteger(pad) || pad < 0) throw new Error(`shift pad must be >= 0, got ${pad}`);
    this.rowFloats = width * channels;
    this.scratch = new Float32Array(height * this.rowFloats);
  }

  /** Shifts each of the first `batchSize` observations of `obs` by its own random (dx, dy). */
  apply(obs: Float32Array, batchSize: number, rng: Rng): void {
    if (this.pad === 0) return;
    const span = 2 * this.pad + 1;
    const size = this.scratch.length;
    if (obs.length < batchSize * size) {
      throw new Error(`batch of ${obs.length} floats is smaller than ${batchSize} observations`);
    }
    for (let b = 0; b < batchSize; b++) {
      const dx = rng.int(span) - this.pad;
      const dy = rng.int(span) - this.pad;
      this.shiftOne(obs, b * size, dx, dy);
    }
  }

  /**
   * Output pixel (y, x) takes input pixel (clamp(y + dy), clamp(x + dx)): a positive dx moves the
   * picture left. Exposed for tests.
   */
  shiftOne(obs: Float32Array, offset: number, dx: number, dy: number): void {
    if (dx === 0 && dy === 0) return;
    const { height, width, channels, rowFloats } = this;
    const src = this.scratch;
    src.set(obs.subarray(offset, offset + src.length));
    // Columns [x0, x1) read input columns x + dx inside the frame; the rest repeat an edge.
    const x0 = Math.max(0, -dx);
    const x1 = Math.min(width, width - dx);
    for (let y = 0; y < height; y++) {
      const sy = Math.min(height - 1, Math.max(0, y + dy));
      const inRow = sy * rowFloats;
      const outRow = offset + y * rowFloats;
      if (x1 > x0) {
        obs.set(
          src.subarray(inRow + (x0 + dx) * channels, inRow + (x1 + dx) * channels),
          outRow + x0 * channels,
        );
      }
      for (let x = 0; x < x0; x++) {
        obs.copyWithin(outRow + x * channels, outRow + x0 * channels, outRow + (x0 + 1) * channels);
      }
      const last = outRow + (x1 - 1) * channels;
      for (let x = x1; x < width; x++) {
        obs.copyWithin(outRow + x * channels, last, last + channels);
      }
    }
  }
}
