// Recycles the output arrays of the native kernels. A fresh multi-megabyte
// Float32Array costs ~2 ms here (zeroing plus page faults, as glibc hands large
// blocks back to the kernel and V8 frees them only at GC), more than the op
// that fills it; a DQN update makes dozens of them. Arrays return to the pool
// when tfjs disposes the tensor holding them, unless they may still be visible
// elsewhere: any array that was read out (dataSync, data, arraySync all end in
// readSync) or whose buffer got a second owner (a cpu kernel returning a view
// such as a simple Slice) is never reused and is left to the garbage collector.
import type * as tf from '@tensorflow/tfjs';

/** 0: handed out, not yet stored; 1: stored under exactly one dataId; 2: escaped. */
type State = 0 | 1 | 2;

interface Storage {
  has(dataId: tf.DataId): boolean;
  get(dataId: tf.DataId): { values?: unknown };
}

interface PooledBackend {
  data: Storage;
  write(values: unknown, shape: number[], dtype: tf.DataType): tf.DataId;
  move(
    dataId: tf.DataId,
    values: unknown,
    shape: number[],
    dtype: tf.DataType,
    refCount: number,
  ): void;
  readSync(dataId: tf.DataId): unknown;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** Below this many floats V8's own allocation is cheap enough. */
const MIN_POOLED = 8192;

export interface PoolOptions {
  /** Upper bound on bytes kept for reuse. */
  maxBytes?: number;
  /** Fill reused arrays with NaN so a kernel that does not write its whole output fails tests. */
  poison?: boolean;
}

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly state = new WeakMap<ArrayBufferLike, State>();
  private pooledBytes = 0;
  private readonly maxBytes: number;
  private readonly poison: boolean;
  hits = 0;
  misses = 0;

  constructor(opts: PoolOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
    this.poison = opts.poison ?? false;
  }

  /** An array of `n` floats with arbitrary contents: the caller must write every element. */
  take(n: number): Float32Array {
    if (n < MIN_POOLED) return new Float32Array(n);
    const reused = this.free.get(n)?.pop();
    if (reused) {
      this.hits++;
      this.pooledBytes -= reused.byteLength;
      this.state.set(reused.buffer, 0);
      if (this.poison) reused.fill(Number.NaN);
      return reused;
    }
    this.misses++;
    const fresh = new Float32Array(n);
    this.state.set(fresh.buffer, 0);
    return fresh;
  }

  get bytesHeld(): number {
    return this.pooledBytes;
  }

  private owned(values: unknown): values is Float32Array {
    return values instanceof Float32Array && this.state.has(values.buffer);
  }

  private stored(values: unknown): void {
    if (!this.owned(values)) return;
    const s = this.state.get(values.buffer);
    // A second store of the same buffer (or a view of it) means shared ownership.
    this.state.set(values.buffer, s === 0 ? 1 : 2);
  }

  private release(values: Float32Array): void {
    if (this.state.get(values.buffer) !== 1) return;
    if (values.byteOffset !== 0 || values.byteLength !== values.buffer.byteLength) return;
    if (this.pooledBytes + values.byteLength > this.maxBytes) {
      this.state.set(values.buffer, 2);
      return;
    }
    this.state.set(values.buffer, 0);
    let list = this.free.get(values.length);
    if (!list) {
      list = [];
      this.free.set(values.length, list);
    }
    list.push(values);
    this.pooledBytes += values.byteLength;
  }

  /** Hooks the backend's storage methods so the pool sees stores, reads and disposals. */
  install(backend: PooledBackend): void {
    const write = backend.write.bind(backend);
    const move = backend.move.bind(backend);
    const readSync = backend.readSync.bind(backend);
    const disposeData = backend.disposeData.bind(backend);
    backend.write = (values, shape, dtype) => {
      this.stored(values);
      return write(values, shape, dtype);
    };
    backend.move = (dataId, values, shape, dtype, refCount) => {
      // Moved data may still be referenced by the backend it came from.
      if (this.owned(values)) this.state.set(values.buffer, 2);
      move(dataId, values, shape, dtype, refCount);
    };
    backend.readSync = (dataId) => {
      const values = backend.data.has(dataId) ? backend.data.get(dataId).values : undefined;
      if (this.owned(values)) this.state.set(values.buffer, 2);
      return readSync(dataId);
    };
    backend.disposeData = (dataId, force) => {
      const values = backend.data.has(dataId) ? backend.data.get(dataId).values : undefined;
      const done = disposeData(dataId, force);
      if (this.owned(values) && !backend.data.has(dataId)) this.release(values);
      return done;
    };
  }
}

const pools = new WeakMap<object, BufferPool>();

export function attachPool(backend: object, pool: BufferPool): void {
  pools.set(backend, pool);
  pool.install(backend as PooledBackend);
}

export function poolOf(backend: object): BufferPool | undefined {
  return pools.get(backend);
}

/** Output storage for a native kernel: pooled when the backend has a pool. */
export function allocOutput(backend: object, n: number): Float32Array {
  return pools.get(backend)?.take(n) ?? new Float32Array(n);
}
