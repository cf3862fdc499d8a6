/**
 * A compact text form of a `MachineState` for checkpoints. jsnes's snapshot is about 700 KB of
 * JSON, nearly all of it the machine's memories as long lists of small integers (and one lookup
 * table that jsnes serialises as an object keyed "0".."n-1"). Packing moves every such list of at
 * least `MIN_RUN` int32 values out of the JSON into one block of int32 deltas (consecutive values
 * are mostly equal or one apart), leaves `{ "$ints": n }` or `{ "$intKeys": n }` in its place, and
 * deflates the two together into one base64 string:
 *
 *   base64(deflateRaw( uint32 LE skeleton byte length | skeleton JSON (UTF-8) | int32 LE deltas ))
 *
 * Unpacking gives back the exact snapshot text (same keys, same order, same numbers).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { UserError } from '../errors.ts';
import type { MachineState } from './machine.ts';

const MIN_RUN = 64;
const LIST = '$ints';
const KEYED = '$intKeys';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isInt32(value: Json): value is number {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31
  );
}

/** The values of a list, or of an object keyed "0".."n-1", when all are int32 and n >= MIN_RUN. */
function intRun(node: Json): { values: number[]; keyed: boolean } | null {
  if (Array.isArray(node)) {
    return node.length >= MIN_RUN && node.every(isInt32)
      ? { values: node as number[], keyed: false }
      : null;
  }
  if (node === null || typeof node !== 'object') return null;
  const keys = Object.keys(node);
  if (keys.length < MIN_RUN) return null;
  const values: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    const value = node[keys[i]];
    // Integer keys enumerate in ascending order, so "0".."n-1" means keys[i] === String(i).
    if (keys[i] !== String(i) || !isInt32(value)) return null;
    values.push(value);
  }
  return { values, keyed: true };
}

export function packMachineState(state: MachineState): string {
  const runs: number[][] = [];
  const strip = (node: Json): Json => {
    const run = intRun(node);
    if (run) {
      runs.push(run.values);
      return { [run.keyed ? KEYED : LIST]: run.values.length };
    }
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === LIST || key === KEYED) throw new Error(`machine state has a key ${key}`);
      out[key] = strip(value);
    }
    return out;
  };
  const skeleton = Buffer.from(JSON.stringify(strip(JSON.parse(state) as Json)), 'utf8');
  const count = runs.reduce((n, run) => n + run.length, 0);
  const bytes = Buffer.alloc(4 + skeleton.length + 4 * count);
  bytes.writeUInt32LE(skeleton.length, 0);
  skeleton.copy(bytes, 4);
  let offset = 4 + skeleton.length;
  for (const run of runs) {
    let previous = 0;
    for (const value of run) {
      bytes.writeInt32LE((value - previous) | 0, offset);
      previous = value;
      offset += 4;
    }
  }
  return deflateRawSync(bytes).toString('base64');
}

export function unpackMachineState(packed: string): MachineState {
  const bad = (why: string) => new UserError(`emulator state is damaged: ${why}`, 'BAD_ENV_STATE');
  let bytes: Buffer;
  let skeleton: Json;
  try {
    bytes = inflateRawSync(Buffer.from(packed, 'base64'));
    const length = bytes.readUInt32LE(0);
    skeleton = JSON.parse(bytes.toString('utf8', 4, 4 + length)) as Json;
    bytes = bytes.subarray(4 + length);
  } catch (error) {
    throw bad((error as Error).message);
  }
  let offset = 0;
  const take = (n: number): number[] => {
    if (!Number.isInteger(n) || n < 0 || offset + 4 * n > bytes.length) throw bad('short data');
    const values = new Array<number>(n);
    let previous = 0;
    for (let i = 0; i < n; i++, offset += 4) {
      previous = (previous + bytes.readInt32LE(offset)) | 0;
      values[i] = previous;
    }
    return values;
  };
  const fill = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(fill);
    if (node === null || typeof node !== 'object') return node;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === LIST) return take(node[LIST] as number);
    if (keys.length === 1 && keys[0] === KEYED) {
      const out: { [key: string]: Json } = {};
      take(node[KEYED] as number).forEach((value, i) => {
        out[i] = value;
      });
      return out;
    }
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(node)) out[key] = fill(value);
    return out;
  };
  const state = JSON.stringify(fill(skeleton));
  if (offset !== bytes.length) throw bad('data left over');
  return state as MachineState;
}
