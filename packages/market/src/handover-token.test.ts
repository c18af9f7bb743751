import { describe, expect, it } from 'vitest';
import { checkHandoverToken, handoverKeys, signHandoverToken, tokenDigest } from './handover-token.ts';

const keys = handoverKeys('a test secret of enough length');
const claims = { q: 'qr-1', o: 'order-1', t: 'pickup' as const, e: 2_000_000_000 };
const NOW = 1_900_000_000_000;

describe('handover token', () => {
  it('verifies with the public key alone and gives back the claims', () => {
    const token = signHandoverToken(keys, claims);
    expect(checkHandoverToken(keys.publicKey, token, NOW)).toEqual({
      ok: true,
      claims: { ...claims, k: keys.kid },
    });
  });

  it('the same secret derives the same key on every instance; another secret another key', () => {
    expect(handoverKeys('a test secret of enough length').kid).toBe(keys.kid);
    const other = handoverKeys('another secret, also long enough');
    expect(other.kid).not.toBe(keys.kid);
    expect(checkHandoverToken(other.publicKey, signHandoverToken(keys, claims), NOW)).toEqual({
      ok: false,
      reason: 'tampered',
    });
  });

  it('refuses a changed payload, a changed signature, garbage, and an expired token', () => {
    const token = signHandoverToken(keys, claims);
    const [v, payload, sig] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...claims, o: 'order-2', k: keys.kid })).toString(
      'base64url',
    );
    expect(checkHandoverToken(keys.publicKey, `${v}.${forged}.${sig}`, NOW).ok).toBe(false);
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    expect(checkHandoverToken(keys.publicKey, `${v}.${payload}.${flipped}`, NOW)).toEqual({
      ok: false,
      reason: 'tampered',
    });
    expect(checkHandoverToken(keys.publicKey, 'not a token', NOW)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(checkHandoverToken(keys.publicKey, token, claims.e * 1000)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('stores a digest, not the token', () => {
    const token = signHandoverToken(keys, claims);
    expect(tokenDigest(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenDigest(token)).not.toContain(token.slice(0, 20));
  });
});
