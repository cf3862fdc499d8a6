import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { MatchForfeit, type MatchPlayer } from './player.ts';
import { relayPlayer, serveRelay } from './relay.ts';

const info = { score: 3, opponentScore: 1, lives: 0 } as never;
const setup = { game: 'duel', side: 2, actions: ['NOOP', 'UP', 'DOWN'], opponent: 'x', seed: 9 };

function relayed(player: MatchPlayer) {
  const { port1, port2 } = new MessageChannel();
  const served = serveRelay(player, port1);
  return { proxy: relayPlayer('far', port2), served, port1 };
}

describe('match player relay', () => {
  it('carries start, each step (with its own copy of the observation) and end across', async () => {
    const calls: string[] = [];
    const { proxy, served } = relayed({
      name: 'near',
      start: (s) => {
        calls.push(`start:${s.side}:${s.opponent}`);
      },
      act: async (observation, i) => {
        calls.push(`act:${observation.join('')}:${(i as { score: number }).score}`);
        return observation[0] % 3;
      },
      end: (e) => {
        calls.push(`end:${e.result}`);
      },
    });
    await proxy.start?.(setup as never);
    const observation = new Uint8Array([2, 0, 1]);
    await expect(proxy.act(observation, info)).resolves.toBe(2);
    // The caller's buffer is left as it was (a copy travelled).
    expect([...observation]).toEqual([2, 0, 1]);
    await proxy.end?.({ side: 2, score: 3, opponentScore: 1, result: 'win', truncated: false });
    await proxy.dispose?.();
    await served;
    expect(calls).toEqual(['start:2:x', 'act:201:3', 'end:win']);
  });

  it('turns a forfeit back into MatchForfeit and any other error into a plain one', async () => {
    let n = 0;
    const { proxy } = relayed({
      name: 'near',
      act: () => {
        n++;
        if (n === 1) throw new MatchForfeit('TIMEOUT', 'three late replies');
        throw new TypeError('socket exploded');
      },
    });
    const forfeit = await Promise.resolve(proxy.act(new Uint8Array(4), info)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(forfeit).toBeInstanceOf(MatchForfeit);
    expect(forfeit).toMatchObject({ code: 'TIMEOUT', reason: 'three late replies' });
    const other = await Promise.resolve(proxy.act(new Uint8Array(4), info)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(other).not.toBeInstanceOf(MatchForfeit);
    expect((other as Error).message).toContain('socket exploded');
    await proxy.dispose?.();
  });

  it('fails a call in flight when the far side closes, instead of waiting for ever', async () => {
    const { proxy, port1 } = relayed({ name: 'near', act: () => new Promise<number>(() => {}) });
    const pending = proxy.act(new Uint8Array(4), info);
    setTimeout(() => port1.close(), 20);
    await expect(pending).rejects.toThrow(/closed during a call/);
    await expect(proxy.act(new Uint8Array(4), info)).rejects.toThrow(/closed/);
  });
});
