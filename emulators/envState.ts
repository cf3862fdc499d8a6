/**
 * Saving and restoring an environment's full state, so a training run resumes exactly.
 *
 * Every layer of a game env (`NesEnv` and each wrapper in wrappers/) implements the optional
 * `getState()` / `setState(state)` of `Env`. A layer's state is a plain JSON object tagged with
 * the layer's name: its own fields plus `inner`, the state of the env it wraps. Layers that keep
 * nothing from one step to the next (`TimeLimit`, `MaxAndSkipObservation`) pass their inner env's
 * state through unchanged. So `makeGameEnv({ game: 'brick', terminalOnLifeLoss: true })` saves,
 * outside in:
 *
 *   { layer: 'frame-stack', stack,
 *     inner: { layer: 'terminal-on-life-loss', lives, gameOver, last,
 *       inner: { layer: 'sticky-action', previous, rng,
 *         inner: { layer: 'noop-start', rng,
 *           inner: { layer: 'nes', game, machine, rng, lastScore, ..., info } } } } }
 *
 * Byte arrays (frames, the emulator's memories) are deflated and base64-encoded, which keeps a
 * Brick env's whole state near 17 KB of JSON (the emulator's own snapshot is 700 KB of JSON).
 *
 * `setState` checks each layer's part (zod) on the way down and changes the layers on the way
 * back up, so a state from a differently built env is refused, naming the layer, before any
 * layer has changed.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import type { Env, EnvState, StepInfo } from './core.ts';
import { formatZodError, UserError } from './errors.ts';
import type { RngState } from './rng.ts';

/** Bytes -> deflated, base64 text (JSON-safe). */
export function packBytes(bytes: Uint8Array): string {
  return deflateRawSync(bytes).toString('base64');
}

/** The inverse of `packBytes`; throws a UserError unless the result has `expectedLength` bytes. */
export function unpackBytes(text: string, expectedLength: number, what: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = inflateRawSync(Buffer.from(text, 'base64'));
  } catch (error) {
    throw new UserError(`${what}: not packed bytes (${(error as Error).message})`, 'BAD_ENV_STATE');
  }
  if (bytes.length !== expectedLength) {
    throw new UserError(
      `${what}: ${bytes.length} bytes, expected ${expectedLength}`,
      'BAD_ENV_STATE',
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** An observation (or any uint8/uint32 array) in JSON form; uint32 in this machine's byte order. */
export interface PackedArray {
  dtype: 'uint8' | 'uint32';
  length: number;
  data: string;
}

export const packedArraySchema = z
  .object({
    dtype: z.enum(['uint8', 'uint32']),
    length: z.number().int().min(0),
    data: z.string(),
  })
  .strict();

export function packArray(array: unknown, what: string): PackedArray {
  if (array instanceof Uint8Array) {
    return { dtype: 'uint8', length: array.length, data: packBytes(array) };
  }
  if (array instanceof Uint32Array) {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    return { dtype: 'uint32', length: array.length, data: packBytes(bytes) };
  }
  const kind = (array as object | null)?.constructor?.name ?? typeof array;
  throw new UserError(`${what}: cannot save a ${kind}, only Uint8Array or Uint32Array`);
}

/** A new array with the packed contents. */
export function unpackArray(packed: PackedArray, what: string): Uint8Array | Uint32Array {
  const width = packed.dtype === 'uint8' ? 1 : 4;
  const bytes = unpackBytes(packed.data, packed.length * width, what);
  if (packed.dtype === 'uint8') return bytes.slice();
  const out = new Uint32Array(packed.length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

const uint32 = z
  .number()
  .int()
  .min(-(2 ** 31))
  .max(2 ** 32 - 1);
export const rngStateSchema: z.ZodType<RngState> = z
  .object({ a: uint32, b: uint32, c: uint32, d: uint32 })
  .strict();

/** A `StepInfo` as saved: its four numbers and any extra keys as plain JSON values. */
export const infoSchema = z
  .object({
    lives: z.number(),
    episodeFrame: z.number(),
    score: z.number(),
    executedAction: z.number(),
  })
  .catchall(z.union([z.number(), z.string(), z.boolean(), z.null()]));

export type SavedInfo = z.infer<typeof infoSchema>;

/** The JSON-safe copy of an info object that `infoSchema` accepts back. */
export function copyInfo(info: StepInfo, what: string): SavedInfo {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(info)) {
    if (value === undefined) continue;
    if (value !== null && !['number', 'string', 'boolean'].includes(typeof value)) {
      throw new UserError(`${what}: info.${key} is not a plain value and cannot be saved`);
    }
    copy[key] = value;
  }
  return copy as SavedInfo;
}

/**
 * Parses one layer's part of a state, or throws a UserError naming the layer and what is wrong.
 * Each layer's schema has `layer: z.literal(name)`, so a state saved from another stack of
 * wrappers is refused here.
 */
export function parseLayerState<T>(schema: z.ZodType<T>, state: unknown, layer: string): T {
  const parsed = schema.safeParse(state);
  if (parsed.success) return parsed.data;
  const problems = formatZodError(parsed.error, 'state');
  throw new UserError(
    `cannot restore the ${layer} layer of the env: ${problems} (was the state saved from an env built the same way?)`,
    'BAD_ENV_STATE',
  );
}

/**
 * Whether `env` can save and restore its state: every layer down to the innermost env implements
 * `getState` and `setState`. A wrapper that does not is treated as unable, not as stateless.
 */
export function canSaveState(env: Env<unknown, unknown>): boolean {
  let current: Env<unknown, unknown> = env;
  for (;;) {
    if (typeof current.getState !== 'function' || typeof current.setState !== 'function') {
      return false;
    }
    if (!('env' in current)) return true;
    current = (current as unknown as { env: Env<unknown, unknown> }).env;
  }
}

/** The state of `env`, for a layer that wraps it; a UserError when `env` cannot save one. */
export function stateOf(env: Env<unknown, unknown>): EnvState {
  if (!env.getState) throw notResumable(env);
  return env.getState();
}

/** Puts `state` back into `env`, for a layer that wraps it. */
export function restoreState(env: Env<unknown, unknown>, state: EnvState): void {
  if (!env.setState) throw notResumable(env);
  env.setState(state);
}

function notResumable(env: Env<unknown, unknown>): UserError {
  return new UserError(
    `${env.constructor.name} cannot save or restore its state`,
    'ENV_NOT_RESUMABLE',
  );
}
