import { afterEach, describe, expect, it } from 'vitest';
import { parseTrustProxy, resolveConfig } from './config.ts';

describe('parseTrustProxy', () => {
  it('reads off, hop counts, addresses, subnets and names', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy(' ')).toBe(false);
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('loopback')).toEqual(['loopback']);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.7,::1,fd00::/8,uniquelocal')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      '::1',
      'fd00::/8',
      'uniquelocal',
    ]);
  });

  it.each([
    ['true', /any client choose its own address/],
    ['17', /implausible/],
    ['proxy.example.com', /not an address/],
    ['10.0.0.0/33', /not an address/],
    ['10.0.0.1/8/1', /not an address/],
    ['::1/129', /not an address/],
    ['1.2.3.4,', /not an address/],
  ])('refuses %s', (text, message) => {
    expect(() => parseTrustProxy(text)).toThrow(message);
  });
});

describe('resolveConfig trustProxy', () => {
  const saved = process.env.ARENA_TRUST_PROXY;
  afterEach(() => {
    if (saved === undefined) delete process.env.ARENA_TRUST_PROXY;
    else process.env.ARENA_TRUST_PROXY = saved;
  });

  it('trusts no proxy by default, takes $ARENA_TRUST_PROXY, and prefers the given value', () => {
    delete process.env.ARENA_TRUST_PROXY;
    expect(resolveConfig().trustProxy).toBe(false);
    process.env.ARENA_TRUST_PROXY = 'loopback';
    expect(resolveConfig().trustProxy).toEqual(['loopback']);
    expect(resolveConfig({ trustProxy: 1 }).trustProxy).toBe(1);
    process.env.ARENA_TRUST_PROXY = 'true';
    expect(() => resolveConfig()).toThrow(/trust proxy/);
  });
});
