import { describe, expect, it } from 'vitest';
import {
  decodeObservation,
  encodeObservation,
  HEADER_BYTES,
  HEADER_BYTES_V1,
  observationFor,
  parseAgentMessage,
  pixelBytes,
  playMode,
  serverMessage,
} from './protocol.ts';

describe('remote-agent protocol', () => {
  it('lays the observation header out as documented: 24 little-endian bytes before the pixels', () => {
    const pixels = new Uint8Array(pixelBytes('frame')).map((_, i) => i % 251);
    const frame = encodeObservation(
      { format: 'frame', lives: 3, step: 0x01020304, score: 672.5 },
      pixels,
      { bankMs: 9_876.9, missedInARow: 2 },
    );
    expect(HEADER_BYTES).toBe(24);
    expect(frame.length).toBe(HEADER_BYTES + 84 * 84);
    expect([...frame.subarray(0, 8)]).toEqual([1, 2, 1, 3, 4, 3, 2, 1]);
    expect(Buffer.from(frame).readDoubleLE(8)).toBe(672.5);
    // The bank in whole ms, rounded down: never more than the agent has.
    expect(Buffer.from(frame).readUInt32LE(16)).toBe(9_876);
    expect(Buffer.from(frame).readUInt32LE(20)).toBe(2);
    expect(frame.subarray(HEADER_BYTES)).toEqual(pixels);
    const decoded = decodeObservation(frame);
    expect(decoded).toMatchObject({
      format: 'frame',
      lives: 3,
      step: 0x01020304,
      score: 672.5,
      protocol: 2,
      time: { bankMs: 9_876, missedInARow: 2 },
    });
    expect(
      decodeObservation(
        encodeObservation(
          { format: 'stack', lives: 999, step: 7, score: -1 },
          new Uint8Array(4 * 84 * 84),
        ),
      ),
    ).toMatchObject({ format: 'stack', lives: 255, step: 7, score: -1 });
  });

  it('sends each agent its own version: time filled in for 2, the 16-byte header of 1 against the pixels', () => {
    const pixels = new Uint8Array(pixelBytes('frame')).map((_, i) => (i * 7) % 256);
    const header = { format: 'frame', lives: 5, step: 77, score: 12.25 } as const;
    const time = { bankMs: 4_321.5, missedInARow: 1 };

    const v2 = observationFor(2, encodeObservation(header, pixels), time);
    expect(v2.length).toBe(24 + 84 * 84);
    expect(decodeObservation(v2)).toMatchObject({
      ...header,
      protocol: 2,
      time: { bankMs: 4_321, missedInARow: 1 },
    });

    const v1 = observationFor(1, encodeObservation(header, pixels), time);
    expect(HEADER_BYTES_V1).toBe(16);
    expect(v1.length).toBe(16 + 84 * 84);
    // Exactly what version 1 always sent: kind, version 1, format, lives, u32 step, f64 score.
    const expected = Buffer.alloc(16);
    expected.writeUInt8(1, 0);
    expected.writeUInt8(1, 1);
    expected.writeUInt8(1, 2);
    expected.writeUInt8(5, 3);
    expected.writeUInt32LE(77, 4);
    expected.writeDoubleLE(12.25, 8);
    expect(Buffer.from(v1.subarray(0, 16))).toEqual(expected);
    expect(v1.subarray(16)).toEqual(pixels);
    expect(decodeObservation(v1)).toMatchObject({ ...header, protocol: 1, time: null });
  });

  it('refuses frames that are not observations of the declared size', () => {
    const good = encodeObservation(
      { format: 'frame', lives: 0, step: 0, score: 0 },
      new Uint8Array(84 * 84),
    );
    expect(() => decodeObservation(good.subarray(0, 100))).toThrow(/pixel bytes/);
    const wrongKind = good.slice();
    wrongKind[0] = 2;
    expect(() => decodeObservation(wrongKind)).toThrow(/kind/);
    const wrongFormat = good.slice();
    wrongFormat[2] = 9;
    expect(() => decodeObservation(wrongFormat)).toThrow(/format/);
    const wrongVersion = good.slice();
    wrongVersion[1] = 3;
    expect(() => decodeObservation(wrongVersion)).toThrow(/protocol 3/);
  });

  it('fills hello defaults and names what is wrong with a bad message', () => {
    const hello = parseAgentMessage(
      JSON.stringify({ type: 'hello', protocol: 1, token: 't', agent: 'a', game: 'brick' }),
    );
    expect(hello).toEqual({
      ok: true,
      message: {
        type: 'hello',
        protocol: 1,
        token: 't',
        agent: 'a',
        game: 'brick',
        mode: 'episodes',
        observation: 'stack',
        episodes: 1,
        newVersion: false,
      },
    });
    expect(parseAgentMessage('{"type":"action","step":1.5,"action":0}')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/step/),
    });
    expect(parseAgentMessage('{"type":"action","step":1,"action":0,"extra":1}')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/extra/),
    });
    expect(
      parseAgentMessage('{"type":"hello","protocol":1,"token":"t","agent":"a b","game":"brick"}'),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/agent/) });
    // `match` is the mode's name; `duel`, its first name, is still accepted and means the same.
    for (const mode of ['match', 'duel'] as const) {
      const parsed = parseAgentMessage(
        JSON.stringify({ type: 'hello', protocol: 2, token: 't', agent: 'a', game: 'duel', mode }),
      );
      expect(parsed).toMatchObject({ ok: true, message: { mode } });
      expect(playMode(mode)).toBe('match');
    }
    expect(playMode('episodes')).toBe('episodes');
    expect(
      parseAgentMessage(
        '{"type":"hello","protocol":2,"token":"t","agent":"a","game":"duel","mode":"versus"}',
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/mode/) });
    expect(parseAgentMessage('nope')).toEqual({
      ok: false,
      reason: 'a text frame that is not JSON',
    });
  });

  it('validates what the server sends', () => {
    expect(serverMessage.safeParse({ type: 'done', episodes: 2 }).success).toBe(true);
    const late = { type: 'late', step: 4, elapsedMs: 130, bankMs: 9_870, missed: false };
    expect(serverMessage.safeParse({ ...late, missedInARow: 0 }).success).toBe(true);
    expect(serverMessage.safeParse(late).success).toBe(false);
    expect(serverMessage.safeParse({ type: 'error', code: 'TEAPOT', message: 'x' }).success).toBe(
      false,
    );
  });
});
