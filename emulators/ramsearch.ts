/**
 * RAM search, the tool for writing manifest entries: take snapshots of work RAM while a game is
 * played, and after each one say how the value you are looking for changed since the last
 * (increased, decreased, unchanged, changed, or equals N). Candidates are every address read as
 * a one-byte binary value, a one-byte BCD value (two digits), and a two-byte little-endian binary
 * value; each statement removes the candidates that contradict it.
 */
import { UserError } from './errors.ts';

export type Encoding = 'binary' | 'bcd' | 'binary16le';
export type Relation =
  | { kind: 'increased' | 'decreased' | 'unchanged' | 'changed' }
  | { kind: 'equals'; value: number };

export interface Candidate {
  address: number;
  encoding: Encoding;
  value: number;
}

const RAM_BYTES = 0x800;
const ENCODINGS: readonly Encoding[] = ['binary', 'bcd', 'binary16le'];

function decode(ram: Uint8Array, address: number, encoding: Encoding): number | undefined {
  const byte = ram[address];
  if (encoding === 'binary') return byte;
  if (encoding === 'bcd')
    return byte >> 4 > 9 || (byte & 15) > 9 ? undefined : (byte >> 4) * 10 + (byte & 15);
  return address + 1 < RAM_BYTES ? byte | (ram[address + 1] << 8) : undefined;
}

export class RamSearch {
  private previous: Uint8Array | undefined;
  /** Alive candidates: index = encoding * RAM_BYTES + address. */
  private readonly alive = new Uint8Array(ENCODINGS.length * RAM_BYTES).fill(1);
  private current: Uint8Array | undefined;

  /** Records a snapshot of RAM (copied); statements compare it with the one before. */
  snapshot(ram: Uint8Array): void {
    if (ram.length < RAM_BYTES)
      throw new UserError(`a RAM snapshot needs ${RAM_BYTES} bytes, got ${ram.length}`);
    this.previous = this.current;
    this.current = ram.slice(0, RAM_BYTES);
    // A value that cannot be read in an encoding (a non-BCD byte) rules that reading out.
    for (let e = 0; e < ENCODINGS.length; e++) {
      for (let a = 0; a < RAM_BYTES; a++) {
        if (decode(this.current, a, ENCODINGS[e]) === undefined) this.alive[e * RAM_BYTES + a] = 0;
      }
    }
  }

  /** Keeps only the candidates whose change between the last two snapshots fits `relation`. */
  narrow(relation: Relation): number {
    const now = this.current;
    if (!now) throw new UserError('take a snapshot first');
    const before = this.previous;
    if (relation.kind !== 'equals' && !before)
      throw new UserError(`"${relation.kind}" compares two snapshots; take another first`);
    for (let e = 0; e < ENCODINGS.length; e++) {
      for (let a = 0; a < RAM_BYTES; a++) {
        const index = e * RAM_BYTES + a;
        if (!this.alive[index]) continue;
        const value = decode(now, a, ENCODINGS[e]);
        const old = before ? decode(before, a, ENCODINGS[e]) : undefined;
        let keep: boolean;
        if (value === undefined) keep = false;
        else if (relation.kind === 'equals') keep = value === relation.value;
        else if (old === undefined) keep = false;
        else if (relation.kind === 'increased') keep = value > old;
        else if (relation.kind === 'decreased') keep = value < old;
        else if (relation.kind === 'unchanged') keep = value === old;
        else keep = value !== old;
        if (!keep) this.alive[index] = 0;
      }
    }
    return this.count();
  }

  count(): number {
    let n = 0;
    for (let i = 0; i < this.alive.length; i++) n += this.alive[i];
    return n;
  }

  /** The remaining candidates with their current values, lowest address first. */
  candidates(limit = 50): Candidate[] {
    const out: Candidate[] = [];
    for (let a = 0; a < RAM_BYTES && out.length < limit; a++) {
      for (let e = 0; e < ENCODINGS.length && out.length < limit; e++) {
        if (!this.alive[e * RAM_BYTES + a] || !this.current) continue;
        out.push({
          address: a,
          encoding: ENCODINGS[e],
          value: decode(this.current, a, ENCODINGS[e]) ?? 0,
        });
      }
    }
    return out;
  }
}

/** Parses one statement: `inc`, `dec`, `same`, `changed`, `eq N`. */
export function parseRelation(text: string): Relation | undefined {
  const [word, arg] = text.trim().split(/\s+/);
  if (word === 'inc' || word === 'increased') return { kind: 'increased' };
  if (word === 'dec' || word === 'decreased') return { kind: 'decreased' };
  if (word === 'same' || word === 'unchanged') return { kind: 'unchanged' };
  if (word === 'changed') return { kind: 'changed' };
  if (word === 'eq' || word === 'equals') {
    const value = Number(arg);
    if (!Number.isInteger(value) || value < 0)
      throw new UserError(`"eq" needs a whole number, got "${arg ?? ''}"`);
    return { kind: 'equals', value };
  }
  return undefined;
}
