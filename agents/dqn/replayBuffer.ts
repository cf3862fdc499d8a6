/**
 * Experience replay (Lin 1992; Mnih et al. 2015) in flat typed arrays.
 *
 * Layout. Each of the `numEnvs` writers owns a ring of `capacity / numEnvs` slots. A slot holds
 * ONE 84x84 frame (the newest frame of the observation the action was taken from) plus its action,
 * (clipped) reward and flags, so a stored transition costs 84*84 + 6 bytes; stacks are rebuilt at
 * sampling time from neighbouring slots of the same ring. The observation after slot t is the stack
 * ending at slot t + 1. When an episode is truncated (frame cap) and the caller passes the final
 * observation, its newest frame goes into one extra TAIL slot (a frame, not a transition) so the
 * transition can still bootstrap; without it that transition is never sampled.
 *
 * Episode boundaries. A stack never reaches into the previous episode: positions before the
 * episode's FIRST slot repeat the episode's first frame (the padding Gymnasium's
 * FrameStackObservation calls "reset"). Slots whose history was overwritten by the ring, and the
 * newest slots whose next observation (or n-step window) is not written yet, are not sampled.
 *
 * Sampling is uniform over written slots with rejection of the few invalid ones, so it always
 * respects how full the buffer is. Prioritised replay (Schaul et al. 2016, proportional variant)
 * is an option: a sum tree over slots, new transitions at the running max priority.
 */
import type { Rng } from '../../emulators/rng.ts';
import { FRAME_SIZE } from './network.ts';
import { SumTree } from './sumTree.ts';

const FIRST = 1;
const TERMINATED = 2;
const TRUNCATED = 4;
const TAIL = 8;

export interface ReplayBufferOptions {
  /** Slots (frames ≈ transitions) across all writers. */
  capacity: number;
  /** Parallel environments writing in; each gets capacity / numEnvs slots. */
  numEnvs: number;
  frameStack?: number;
  frameSize?: number;
  /** Returns over n steps (Sutton 1988; Hessel et al. 2018); 1 = plain one-step DQN. */
  nStep?: number;
  /** Discount, used for n-step returns and the discount reported per sample. */
  gamma?: number;
  /** Proportional prioritised replay; absent = uniform. */
  prioritized?: { alpha: number; epsilon: number };
  /**
   * Keep each transition's discounted return to the end of its episode once the episode has
   * terminated (batches carry it as `lowerBounds`; see the trainer's `lowerBoundReturns`).
   */
  episodeReturns?: boolean;
  /** Largest frame-storage array in bytes (default 1 GiB; tests use tiny ones). */
  maxChunkBytes?: number;
  /**
   * The float written for each pixel byte in sampled observations (256 entries; default the
   * byte itself, 0..255). The trainer passes the network's input scaling (`pixelValueTable`).
   */
  pixelValues?: Float32Array;
  /**
   * A faster way to write a 4-frame stack (the native addon's, `nativeStackGather`): given the
   * frames oldest first, the table, the output and the offset. Must write what the JS loop does.
   */
  gatherStack?: (
    frames: readonly Uint8Array[],
    lut: Float32Array,
    out: Float32Array,
    offset: number,
  ) => void;
}

/**
 * One sampled batch. Observations are NHWC float32 [batch, 84, 84, frameStack]: each pixel byte
 * through the buffer's `pixelValues` (raw 0..255 by default).
 */
export interface ReplayBatch {
  size: number;
  observations: Float32Array;
  nextObservations: Float32Array;
  actions: Int32Array;
  /** Discounted sum of the (clipped) rewards over the n-step window. */
  returns: Float32Array;
  /** gamma^k for a window of k steps, or 0 when the episode terminated inside it. */
  discounts: Float32Array;
  /** Importance-sampling weights (all 1 for uniform replay). */
  weights: Float32Array;
  /** Slot ids, to pass back to `updatePriorities`. */
  indices: Int32Array;
  /**
   * The discounted (clipped) return from the transition to the end of its episode, which the
   * agent actually obtained: -Infinity while the episode is still running, after a truncation,
   * or when the buffer keeps no episode returns.
   */
  lowerBounds: Float32Array;
}

export class ReplayBuffer {
  readonly numEnvs: number;
  readonly perEnv: number;
  readonly frameStack: number;
  readonly frameSize: number;
  readonly nStep: number;
  readonly gamma: number;
  /** Frame storage in chunks of at most 1 GiB (typed arrays stop at 4 GiB; 1M frames is 7 GB). */
  private readonly frameChunks: Uint8Array[];
  private readonly chunkSlots: number;
  private readonly actions: Uint8Array;
  private readonly rewards: Float32Array;
  private readonly flags: Uint8Array;
  private readonly cursor: Int32Array;
  private readonly sizes: Int32Array;
  private readonly episodeOpen: Uint8Array;
  private readonly tree: SumTree | null;
  /** Discounted return to the episode's end per slot (NaN = not known), when kept. */
  private readonly returnsToGo: Float32Array | null;
  private readonly alpha: number;
  private readonly priorityEpsilon: number;
  private maxPriority = 1;
  private readonly stackSlots: Int32Array;
  /** The frames of the stack being written (views into the frame storage). */
  private readonly stackSources: Uint8Array[];
  private readonly pixelValues: Float32Array;
  private readonly gatherStack: ReplayBufferOptions['gatherStack'];

  constructor(options: ReplayBufferOptions) {
    const { capacity, numEnvs } = options;
    this.frameStack = options.frameStack ?? 4;
    this.frameSize = options.frameSize ?? FRAME_SIZE;
    this.nStep = options.nStep ?? 1;
    this.gamma = options.gamma ?? 0.99;
    if (!Number.isInteger(numEnvs) || numEnvs < 1)
      throw new RangeError(`numEnvs must be >= 1, got ${numEnvs}`);
    this.numEnvs = numEnvs;
    this.perEnv = Math.floor(capacity / numEnvs);
    if (this.perEnv < this.frameStack + this.nStep + 1) {
      throw new RangeError(
        `replay capacity ${capacity} is too small for ${numEnvs} envs (need at least ${(this.frameStack + this.nStep + 1) * numEnvs})`,
      );
    }
    const slots = this.perEnv * numEnvs;
    const chunkBytes = options.maxChunkBytes ?? MAX_CHUNK_BYTES;
    this.chunkSlots = Math.max(1, Math.floor(chunkBytes / this.frameSize));
    this.frameChunks = [];
    for (let first = 0; first < slots; first += this.chunkSlots) {
      this.frameChunks.push(
        new Uint8Array(Math.min(this.chunkSlots, slots - first) * this.frameSize),
      );
    }
    this.actions = new Uint8Array(slots);
    this.rewards = new Float32Array(slots);
    this.flags = new Uint8Array(slots);
    this.cursor = new Int32Array(numEnvs);
    this.sizes = new Int32Array(numEnvs);
    this.episodeOpen = new Uint8Array(numEnvs);
    this.tree = options.prioritized ? new SumTree(slots) : null;
    this.returnsToGo = options.episodeReturns ? new Float32Array(slots).fill(Number.NaN) : null;
    this.alpha = options.prioritized?.alpha ?? 0;
    this.priorityEpsilon = options.prioritized?.epsilon ?? 0;
    this.stackSlots = new Int32Array(this.frameStack);
    this.stackSources = Array.from({ length: this.frameStack }, () => new Uint8Array(0));
    this.pixelValues = options.pixelValues ?? Float32Array.from({ length: 256 }, (_, v) => v);
    if (this.pixelValues.length !== 256)
      throw new RangeError(`pixelValues must have 256 entries, got ${this.pixelValues.length}`);
    this.gatherStack = this.frameStack === 4 ? options.gatherStack : undefined;
  }

  /** Bytes held by the buffer's arrays. */
  get byteLength(): number {
    const treeBytes = this.tree ? this.tree.byteLength : 0;
    return (
      this.frameChunks.reduce((sum, c) => sum + c.byteLength, 0) +
      this.actions.byteLength +
      this.rewards.byteLength +
      this.flags.byteLength +
      treeBytes
    );
  }

  /** Total slot count (the usable capacity). */
  get capacity(): number {
    return this.perEnv * this.numEnvs;
  }

  /** Slots written so far (at most `capacity`). */
  get size(): number {
    let total = 0;
    for (let e = 0; e < this.numEnvs; e++) total += this.sizes[e];
    return total;
  }

  /**
   * Stores the transition (observation, action, reward, terminated, truncated) of writer `env`.
   * `observation` is the CHW stack the action was taken from (only its newest frame is read);
   * `finalObservation` is the observation reached on truncation, if the environment reports it.
   */
  add(
    env: number,
    observation: Uint8Array,
    action: number,
    reward: number,
    terminated: boolean,
    truncated: boolean,
    finalObservation?: Uint8Array | null,
  ): void {
    if (action < 0 || action > 255 || !Number.isInteger(action))
      throw new RangeError(`bad action ${action}`);
    const newest = (this.frameStack - 1) * this.frameSize;
    const flags =
      (this.episodeOpen[env] ? 0 : FIRST) |
      (terminated ? TERMINATED : 0) |
      (truncated ? TRUNCATED : 0);
    this.write(env, observation, newest, action, reward, flags);
    if (terminated && this.returnsToGo) this.writeReturnsToGo(env);
    if (truncated && !terminated && finalObservation) {
      this.write(env, finalObservation, newest, 0, 0, TAIL);
    }
    this.episodeOpen[env] = terminated || truncated ? 0 : 1;
  }

  /**
   * Walks the episode that just terminated in `env` back to its first slot (or as far as the ring
   * still holds it), writing G_t = r_t + gamma G_{t+1} with G = 0 after the terminal step.
   */
  private writeReturnsToGo(env: number): void {
    const rtg = this.returnsToGo as Float32Array;
    const base = env * this.perEnv;
    let slot = (this.cursor[env] - 1 + this.perEnv) % this.perEnv;
    let g = 0;
    for (let k = 0; k < this.sizes[env]; k++) {
      const i = base + slot;
      g = this.rewards[i] + this.gamma * g;
      rtg[i] = g;
      if (this.flags[i] & FIRST) break;
      slot = (slot - 1 + this.perEnv) % this.perEnv;
    }
  }

  private write(
    env: number,
    src: Uint8Array,
    srcOffset: number,
    action: number,
    reward: number,
    flags: number,
  ) {
    const g = env * this.perEnv + this.cursor[env];
    const chunk = this.frameChunks[Math.floor(g / this.chunkSlots)];
    chunk.set(
      src.subarray(srcOffset, srcOffset + this.frameSize),
      (g % this.chunkSlots) * this.frameSize,
    );
    this.actions[g] = action;
    this.rewards[g] = reward;
    this.flags[g] = flags;
    if (this.returnsToGo) this.returnsToGo[g] = Number.NaN;
    this.cursor[env] = (this.cursor[env] + 1) % this.perEnv;
    if (this.sizes[env] < this.perEnv) this.sizes[env]++;
    // New transitions are sampled at least once soon (max priority); TAIL slots never.
    this.tree?.set(g, flags & TAIL ? 0 : this.maxPriority ** this.alpha);
  }

  /** How many slots back from the newest `slot` of `env` lies (0 = newest). */
  private age(env: number, slot: number): number {
    return (this.cursor[env] - 1 - slot + 2 * this.perEnv) % this.perEnv;
  }

  /** Whether slot `slot` of `env` is a complete transition whose stacks are intact. */
  isValid(env: number, slot: number): boolean {
    const base = env * this.perEnv;
    const size = this.sizes[env];
    const age = this.age(env, slot);
    if (age >= size || this.flags[base + slot] & TAIL) return false;
    // History: the stack must not need frames the ring has overwritten.
    let s = slot;
    for (let k = 1; k < this.frameStack; k++) {
      if (this.flags[base + s] & FIRST) break;
      if (age + k >= size) return false;
      s = (s - 1 + this.perEnv) % this.perEnv;
    }
    // Future: the n-step window must be written up to the next observation.
    for (let k = 0; k < this.nStep; k++) {
      if (age - k < 0) return false;
      const f = this.flags[base + ((slot + k) % this.perEnv)];
      if (f & TERMINATED) return true;
      if (f & TRUNCATED) {
        return age - k - 1 >= 0 && (this.flags[base + ((slot + k + 1) % this.perEnv)] & TAIL) !== 0;
      }
    }
    return age - this.nStep >= 0;
  }

  /**
   * Samples `batchSize` valid transitions. `beta` is the importance-sampling exponent (PER only).
   * `into`, a batch of the same size from an earlier call, is overwritten and returned instead of
   * allocating ~7 MB of arrays per gradient step (the training loop's choice; callers that keep
   * batches leave it out).
   */
  sample(batchSize: number, rng: Rng, beta = 1, into?: ReplayBatch): ReplayBatch {
    const obsSize = this.frameStack * this.frameSize;
    const reuse =
      into !== undefined &&
      into.size === batchSize &&
      into.observations.length === batchSize * obsSize;
    const batch: ReplayBatch = reuse
      ? into
      : {
          size: batchSize,
          observations: new Float32Array(batchSize * obsSize),
          nextObservations: new Float32Array(batchSize * obsSize),
          actions: new Int32Array(batchSize),
          returns: new Float32Array(batchSize),
          discounts: new Float32Array(batchSize),
          weights: new Float32Array(batchSize),
          indices: new Int32Array(batchSize),
          lowerBounds: new Float32Array(batchSize),
        };
    batch.weights.fill(1);
    const total = this.size;
    if (total === 0) throw new Error('cannot sample from an empty replay buffer');
    let maxWeight = 0;
    for (let b = 0; b < batchSize; b++) {
      const g = this.tree ? this.drawPrioritized(rng, b, batchSize) : this.drawUniform(rng, total);
      batch.indices[b] = g;
      this.fill(batch, b, g);
      if (this.tree) {
        const p = this.tree.get(g) / this.tree.total;
        const w = (total * p) ** -beta;
        batch.weights[b] = w;
        if (w > maxWeight) maxWeight = w;
      }
    }
    // Normalising by the batch's largest weight keeps updates no larger than uniform ones.
    if (this.tree) for (let b = 0; b < batchSize; b++) batch.weights[b] /= maxWeight;
    return batch;
  }

  private drawUniform(rng: Rng, total: number): number {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      let r = rng.int(total);
      let env = 0;
      while (r >= this.sizes[env]) r -= this.sizes[env++];
      if (this.isValid(env, r)) return env * this.perEnv + r;
    }
    throw new Error('replay buffer holds no complete transition yet');
  }

  private drawPrioritized(rng: Rng, b: number, batchSize: number): number {
    const tree = this.tree!;
    // Stratified: one draw from each of batchSize equal slices of the priority mass.
    const slice = tree.total / batchSize;
    for (let attempt = 0; attempt < 1000; attempt++) {
      const g = tree.find(Math.min((b + rng.next()) * slice, tree.total * (1 - 1e-12)));
      if (this.isValid(Math.floor(g / this.perEnv), g % this.perEnv)) return g;
      if (attempt > 16) return this.drawUniform(rng, this.size);
    }
    return this.drawUniform(rng, this.size);
  }

  /** Sets the priorities of sampled slots from their TD errors. */
  updatePriorities(indices: Int32Array, tdErrors: Float32Array): void {
    if (!this.tree) return;
    for (let i = 0; i < indices.length; i++) {
      const p = Math.abs(tdErrors[i]) + this.priorityEpsilon;
      if (p > this.maxPriority) this.maxPriority = p;
      this.tree.set(indices[i], p ** this.alpha);
    }
  }

  private fill(batch: ReplayBatch, b: number, g: number): void {
    const env = Math.floor(g / this.perEnv);
    const slot = g % this.perEnv;
    const base = env * this.perEnv;
    batch.actions[b] = this.actions[g];
    let ret = 0;
    let discount = 1;
    let k = 0;
    let terminated = false;
    for (; k < this.nStep; k++) {
      const s = base + ((slot + k) % this.perEnv);
      ret += discount * this.rewards[s];
      discount *= this.gamma;
      if (this.flags[s] & TERMINATED) {
        terminated = true;
        break;
      }
      if (this.flags[s] & TRUNCATED) {
        k++;
        break;
      }
    }
    batch.returns[b] = ret;
    batch.discounts[b] = terminated ? 0 : discount;
    const bound = this.returnsToGo ? this.returnsToGo[g] : Number.NaN;
    batch.lowerBounds[b] = Number.isNaN(bound) ? Number.NEGATIVE_INFINITY : bound;
    this.writeStack(env, slot, batch.observations, b);
    // The next observation ends k slots later (the TAIL slot after a truncation).
    this.writeStack(env, (slot + (terminated ? 0 : k)) % this.perEnv, batch.nextObservations, b);
  }

  /** Writes the stack ending at `slot` of `env` into `out` (NHWC, batch row `b`). */
  private writeStack(env: number, slot: number, out: Float32Array, b: number): void {
    const F = this.frameStack;
    const base = env * this.perEnv;
    const slots = this.stackSlots;
    let s = slot;
    slots[F - 1] = s;
    for (let c = F - 2; c >= 0; c--) {
      // Once at the episode's first frame, keep repeating it.
      if (!(this.flags[base + s] & FIRST)) s = (s - 1 + this.perEnv) % this.perEnv;
      slots[c] = s;
    }
    const size = this.frameSize;
    const o = b * F * size;
    const sources = this.stackSources;
    for (let c = 0; c < F; c++) {
      const g = base + slots[c];
      const chunk = this.frameChunks[Math.floor(g / this.chunkSlots)];
      const src = (g % this.chunkSlots) * size;
      sources[c] = chunk.subarray(src, src + size);
    }
    // NHWC interleaves the F frames pixel by pixel. Writing the output in order (reading the
    // F frames side by side) is several times faster than one strided pass per frame, which
    // was the trainer's largest cost after the network itself.
    const lut = this.pixelValues;
    if (this.gatherStack) {
      this.gatherStack(sources, lut, out, o);
      return;
    }
    if (F === 4) {
      const [f0, f1, f2, f3] = sources;
      for (let p = 0, d = o; p < size; p++, d += 4) {
        out[d] = lut[f0[p]];
        out[d + 1] = lut[f1[p]];
        out[d + 2] = lut[f2[p]];
        out[d + 3] = lut[f3[p]];
      }
      return;
    }
    for (let p = 0, d = o; p < size; p++) {
      for (let c = 0; c < F; c++, d++) out[d] = lut[sources[c][p]];
    }
  }

  /** Every array of the buffer's state, in a fixed order (what checkpoints store). */
  private stateArrays(): ArrayBufferView[] {
    const arrays: ArrayBufferView[] = [
      ...this.frameChunks,
      this.actions,
      this.rewards,
      this.flags,
      this.cursor,
      this.sizes,
      this.episodeOpen,
    ];
    if (this.tree) arrays.push(this.tree.nodes);
    if (this.returnsToGo) arrays.push(this.returnsToGo);
    return arrays;
  }

  /** The buffer's full state as byte chunks (for checkpoints); `restore` reads them back. */
  serialize(): { header: ReplayHeader; chunks: Uint8Array[] } {
    const chunks = this.stateArrays().map(bytesOf);
    const header = {
      perEnv: this.perEnv,
      numEnvs: this.numEnvs,
      maxPriority: this.maxPriority,
      lengths: chunks.map((c) => c.byteLength),
    };
    return { header, chunks };
  }

  /**
   * Restores a serialised state. `read(target, offset)` fills `target` with the bytes found at
   * `offset` of the serialised stream (a file read, or a copy from memory).
   */
  async restore(
    header: ReplayHeader,
    read: (target: Uint8Array, offset: number) => void | Promise<void>,
  ): Promise<void> {
    const targets = this.stateArrays();
    if (
      header.perEnv !== this.perEnv ||
      header.numEnvs !== this.numEnvs ||
      header.lengths.length !== targets.length ||
      targets.some((t, i) => t.byteLength !== header.lengths[i])
    ) {
      throw new Error('the checkpointed replay buffer does not match the configured one');
    }
    let offset = 0;
    for (const t of targets) {
      await read(bytesOf(t), offset);
      offset += t.byteLength;
    }
    this.maxPriority = header.maxPriority;
  }
}

const MAX_CHUNK_BYTES = 1 << 30;

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export interface ReplayHeader {
  perEnv: number;
  numEnvs: number;
  maxPriority: number;
  lengths: number[];
}
