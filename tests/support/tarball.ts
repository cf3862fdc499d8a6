/**
 * Tar archives for upload tests, made with tar-stream's packer: ordinary ones and hostile ones
 * (links, devices, `..` paths, duplicate names, headers that lie about sizes).
 */
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';

export interface TarEntry {
  name: string;
  /** Default 'file'. */
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device';
  linkname?: string;
  bytes?: Uint8Array;
}

export async function makeTar(entries: readonly TarEntry[]): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = {
      name: e.name,
      type,
      linkname: e.linkname,
      mode: type === 'directory' ? 0o755 : 0o644,
    };
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (type === 'file') pack.entry(header, Buffer.from(e.bytes ?? new Uint8Array()), done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  await collected;
  return new Uint8Array(Buffer.concat(chunks));
}

export async function makeTarGz(entries: readonly TarEntry[]): Promise<Uint8Array> {
  return new Uint8Array(gzipSync(await makeTar(entries)));
}

/** A tar of the folder's files, optionally inside one top folder (as `tar czf x.tgz folder/` makes). */
export function folderEntries(files: Map<string, Uint8Array>, top?: string): TarEntry[] {
  const prefix = top ? `${top}/` : '';
  return [
    ...(top ? [{ name: prefix, type: 'directory' as const }] : []),
    ...[...files].map(([name, bytes]) => ({ name: `${prefix}${name}`, bytes })),
  ];
}
