/**
 * API tokens: 'aa_' + 16 hex selector + '_' + 43-char base64url secret (32 random bytes).
 *
 * The selector is a public row key; only SHA-256 of the secret is stored and it is compared with
 * `crypto.timingSafeEqual`, so neither a database leak nor response timing reveals a usable
 * token. A plain hash (not bcrypt/scrypt) suffices because the secret has 256 bits of entropy:
 * there is no dictionary to brute-force.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'aa_';
const SELECTOR_HEX = 16;
const SECRET_CHARS = 43;
const TOKEN_RE = new RegExp(
  `^${PREFIX}([0-9a-f]{${SELECTOR_HEX}})_([A-Za-z0-9_-]{${SECRET_CHARS}})$`,
);

export interface GeneratedToken {
  /** The full token to hand to the user once. */
  token: string;
  selector: string;
  secretSha256: Buffer;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function generateToken(): GeneratedToken {
  const selector = randomBytes(SELECTOR_HEX / 2).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `${PREFIX}${selector}_${secret}`, selector, secretSha256: hashSecret(secret) };
}

/** Splits a token into selector and secret; null when it is not well formed. */
export function parseToken(token: string): { selector: string; secret: string } | null {
  const m = TOKEN_RE.exec(token);
  return m ? { selector: m[1], secret: m[2] } : null;
}

/** Constant-time check of a presented secret against a stored SHA-256. */
export function secretMatches(secret: string, storedSha256: Uint8Array): boolean {
  const presented = hashSecret(secret);
  return storedSha256.length === presented.length && timingSafeEqual(presented, storedSha256);
}
