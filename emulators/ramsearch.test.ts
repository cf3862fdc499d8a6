import { describe, expect, it } from 'vitest';
import { parseRelation, RamSearch } from './ramsearch.ts';

describe('RamSearch', () => {
  it('finds a BCD score and a binary lives counter among noise', () => {
    const search = new RamSearch();
    const ram = new Uint8Array(0x800);
    for (let i = 0; i < ram.length; i++) ram[i] = (i * 37) & 0xff;
    const frames = [
      { score: 0x00, lives: 3 },
      { score: 0x15, lives: 3 },
      { score: 0x30, lives: 2 },
      { score: 0x45, lives: 2 },
    ];
    const relations: string[][] = [[], ['inc', 'same'], ['inc', 'dec'], ['inc', 'same']];
    const scoreSearch = new RamSearch();
    frames.forEach((frame, k) => {
      ram[0x123] = frame.score;
      ram[0x44] = frame.lives;
      ram[0x300] = (ram[0x300] + 1) & 0xff; // a frame counter: always increases, so eq rules it out
      scoreSearch.snapshot(ram);
      search.snapshot(ram);
      if (k > 0) {
        scoreSearch.narrow(parseRelation(relations[k][0])!);
        search.narrow(parseRelation(relations[k][1])!);
      }
    });
    scoreSearch.narrow({ kind: 'equals', value: 45 });
    expect(scoreSearch.candidates()).toEqual([{ address: 0x123, encoding: 'bcd', value: 45 }]);
    search.narrow({ kind: 'equals', value: 2 });
    expect(search.candidates().map((c) => c.address)).toContain(0x44);
  });

  it('asks for two snapshots before comparing and rejects bad statements', () => {
    const search = new RamSearch();
    search.snapshot(new Uint8Array(0x800));
    expect(() => search.narrow({ kind: 'increased' })).toThrow(/take another first/);
    expect(() => parseRelation('eq x')).toThrow(/whole number/);
    expect(parseRelation('sideways')).toBeUndefined();
  });
});
