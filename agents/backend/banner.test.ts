/** The project prints which backend runs; TF.js's own "install our node backend" banner is not. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { initBackend } from './index.ts';

describe('backend banner', () => {
  it("keeps TF.js's node-backend banner out of the log on the cpu backend", async () => {
    const warn = vi.spyOn(console, 'warn');
    const info = await initBackend({ backend: 'cpu', quiet: true });
    expect(info.name).toBe('cpu');
    const t = tf.tensor([1, 2, 3]);
    expect(Array.from(await t.data())).toEqual([1, 2, 3]);
    t.dispose();
    const lines = warn.mock.calls.map((args) => args.join(' '));
    expect(lines.filter((l) => l.includes('node backend'))).toEqual([]);
    warn.mockRestore();
  });
});
