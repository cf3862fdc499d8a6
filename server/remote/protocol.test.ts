import { describe, expect, it } from 'vitest';
import {
  decodeObservation,
  encodeObservation,
  HEADER_BYTES,
  parseAgentMessage,
  pixelBytes,
  serverMessage,
} from './protocol.ts';

describe('remote-agent protocol', () => {
  it('lays the observation header out as documented: 16 little-endian bytes before the pixels', () => {
    const pixels = new Uint8Array(pixelBytes('frame')).map((_, i) => i % 251);
    const frame = encodeObservation(
      { format: 'frame', lives: 3, step: 0x01020304, score: 672.5 },
      pixels,
    );
    expect(frame.length).toBe(HEADER_BYTES + 84 * 84);
    expect([...frame.subarray(0, 8)]).toEqual([1, 1, 1, 3, 4, 3, 2, 1]);
    expect(Buffer.from(frame).readDoubleLE(8)).toBe(672.5);
    expect(frame.subarray(HEADER_BYTES)).toEqual(pixels);
    const decoded = decodeObservation(frame);
    expect(decoded).toMatchObject({ format: 'frame', lives: 3, step: 0x01020304, score: 672.5 });
    expect(
      decodeObservation(
        encodeObservation(
          { format: 'stack', lives: 999, step: 7, score: -1 },
          new Uint8Array(4 * 84 * 84),
        ),
      ),
    ).toMatchObject({ format: 'stack', lives: 255, step: 7, score: -1 });
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
    expect(parseAgentMessage('nope')).toEqual({
      ok: false,
      reason: 'a text frame that is not JSON',
    });
  });

  it('validates what the server sends', () => {
    expect(serverMessage.safeParse({ type: 'done', episodes: 2 }).success).toBe(true);
    expect(serverMessage.safeParse({ type: 'error', code: 'TEAPOT', message: 'x' }).success).toBe(
      false,
    );
  });
});
