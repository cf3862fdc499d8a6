import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { folderEntries, makeTar, makeTarGz } from '../../tests/support/tarball.ts';
import { archiveFormat, MAX_UNPACKED, unpackArchive } from './archives.ts';

const text = (s: string) => new TextEncoder().encode(s);
const FOLDER = new Map([
  ['agent.json', text('{"game":"brick"}')],
  ['model.json', text('{}')],
  ['weights.bin', new Uint8Array([1, 2, 3, 4])],
]);

const asMap = (files: { name: string; bytes: Uint8Array }[]) =>
  new Map(files.map((f) => [f.name, Array.from(f.bytes)]));
const expected = new Map([...FOLDER].map(([n, b]) => [n, Array.from(b)]));

/** Rewrites the size field of the tar header at `offset` and fixes its checksum. */
function lieAboutSize(tarBytes: Uint8Array, offset: number, size: number): Uint8Array {
  const out = tarBytes.slice();
  const field = `${size.toString(8).padStart(11, '0')}\0`;
  out.set(text(field), offset + 124);
  out.fill(0x20, offset + 148, offset + 156);
  let sum = 0;
  for (let i = offset; i < offset + 512; i++) sum += out[i];
  out.set(text(`${sum.toString(8).padStart(6, '0')}\0 `), offset + 148);
  return out;
}

async function refusal(bytes: Uint8Array, name = 'agent.tar') {
  try {
    await unpackArchive(bytes, name);
  } catch (error) {
    return error as { code: string; message: string; status: number };
  }
  throw new Error('the archive was accepted');
}

describe('unpackArchive', () => {
  it('reads the same folder from a .zip, a .tar and a .tar.gz, at the root or in one folder', async () => {
    const zip = zipSync(Object.fromEntries([...FOLDER].map(([n, b]) => [`tiny/${n}`, b])));
    const tarRoot = await makeTar(folderEntries(FOLDER));
    const tarTop = await makeTar(folderEntries(FOLDER, 'tiny'));
    const tarDot = await makeTar([...FOLDER].map(([n, bytes]) => ({ name: `./${n}`, bytes })));
    const tgz = await makeTarGz(folderEntries(FOLDER, 'tiny'));
    expect(archiveFormat(zip)).toBe('zip');
    expect(archiveFormat(tarRoot)).toBe('tar');
    expect(archiveFormat(tgz)).toBe('tar.gz');
    for (const bytes of [zip, tarRoot, tarTop, tarDot, tgz]) {
      // The name does not matter: the format is read from the bytes.
      expect(asMap(await unpackArchive(bytes, 'upload.bin'))).toEqual(expected);
    }
  });

  const hostile: [string, () => Promise<Uint8Array>, RegExp][] = [
    [
      'a symbolic link',
      () =>
        makeTar([
          ...folderEntries(FOLDER),
          { name: 'README.md', type: 'symlink', linkname: '/etc/passwd' },
        ]),
      /"README.md" is a link/,
    ],
    [
      'a hard link',
      () =>
        makeTar([
          ...folderEntries(FOLDER),
          { name: 'x.bin', type: 'link', linkname: 'weights.bin' },
        ]),
      /is a link/,
    ],
    [
      'a FIFO',
      () => makeTar([...folderEntries(FOLDER), { name: 'pipe', type: 'fifo' }]),
      /is a fifo entry/,
    ],
    [
      'a device',
      () => makeTar([{ name: 'tty', type: 'character-device' }, ...folderEntries(FOLDER)]),
      /character-device/,
    ],
    [
      'a parent-folder path',
      () => makeTar([...folderEntries(FOLDER), { name: '../../evil.bin', bytes: text('x') }]),
      /unsafe path "..\/..\/evil.bin"/,
    ],
    [
      'a .. segment inside the top folder',
      () => makeTar([...folderEntries(FOLDER, 'tiny'), { name: 'tiny/../x', bytes: text('x') }]),
      /unsafe path/,
    ],
    [
      'an absolute path',
      () => makeTar([{ name: '/agent.json', bytes: text('{}') }]),
      /unsafe path "\/agent.json"/,
    ],
    ['a backslash path', () => makeTar([{ name: '..\\evil', bytes: text('{}') }]), /unsafe path/],
    [
      'a nested folder',
      () =>
        makeTar([...folderEntries(FOLDER, 'tiny'), { name: 'tiny/sub/x.bin', bytes: text('x') }]),
      /bad file name "sub\/x.bin"/,
    ],
    [
      'a name given twice',
      () => makeTar([...folderEntries(FOLDER), { name: 'model.json', bytes: text('{"evil":1}') }]),
      /model.json twice/,
    ],
    [
      'too many files',
      () =>
        makeTar(Array.from({ length: 40 }, (_, i) => ({ name: `f${i}.bin`, bytes: text('x') }))),
      /40 files; at most 32/,
    ],
    ['an empty tar', () => makeTar([{ name: 'tiny/', type: 'directory' }]), /holds no files/],
    [
      'a truncated tar',
      async () => (await makeTar(folderEntries(FOLDER))).slice(0, 700),
      /not a readable tar/,
    ],
    [
      'gzip around something else',
      async () => new Uint8Array(gzipSync(text('hello'))),
      /holds no tar/,
    ],
    [
      'a corrupt gzip',
      async () => new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]),
      /not a readable gzip/,
    ],
    [
      'plain text',
      async () => text('just some text, not an archive'),
      /not a \.zip, \.tar or \.tar\.gz/,
    ],
  ];
  for (const [what, make, message] of hostile) {
    it(`refuses ${what}`, async () => {
      const error = await refusal(await make());
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.status).toBe(400);
      expect(error.message).toMatch(message);
    });
  }

  it('refuses an entry whose header declares more than the limit before reading it', async () => {
    const small = await makeTar([{ name: 'weights.bin', bytes: text('tiny') }]);
    const error = await refusal(lieAboutSize(small, 0, MAX_UNPACKED + 1));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.status).toBe(413);
  });

  it('stops a gzip bomb at the limit', async () => {
    // 96 gzip members of 1 MiB of zeros each: ~100 KB that unpacks to 96 MiB.
    const member = gzipSync(Buffer.alloc(1024 * 1024));
    const bomb = new Uint8Array(Buffer.concat(Array.from({ length: 96 }, () => member)));
    expect(bomb.byteLength).toBeLessThan(200_000);
    const error = await refusal(bomb, 'bomb.tar.gz');
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toMatch(/bomb\.tar\.gz unpacks to more than/);
  });

  it('refuses a zip that unpacks past the limit, by its declared sizes', async () => {
    const big = zipSync({ 'weights.bin': new Uint8Array(MAX_UNPACKED + 1) }, { level: 1 });
    const error = await refusal(big, 'big.zip');
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
