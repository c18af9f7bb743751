import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * The handover QR token: `v1.<payload>.<signature>`, base64url, the payload a small JSON object
 * (`q` the handover_qr row, `o` the order, `t` pickup|return, `e` expiry in Unix seconds, `k` the
 * key id), the signature Ed25519 over the ASCII bytes of `v1.<payload>`. Anyone with the public key
 * (GET /api/market/handover/public-key) checks it offline; only the server, which records the scan,
 * makes it count — once (docs/marketplace.md, "QR handover").
 */
export interface HandoverClaims {
  q: string;
  o: string;
  t: 'pickup' | 'return';
  e: number;
  k: string;
}

export interface HandoverKeys {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export type TokenCheck =
  | { ok: true; claims: HandoverClaims }
  | { ok: false; reason: 'malformed' | 'tampered' | 'expired' };

// PKCS#8 DER of an Ed25519 private key is this fixed prefix followed by the 32-byte seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The signing key derived from the app secret (SHA-256 of a label and the secret is the seed), so
 * every api instance signs with the same key and no key file has to be shipped; rotating
 * APP_SECRET rotates it (the kid changes, scanner apps fetch the new public key).
 */
export function handoverKeys(appSecret: string): HandoverKeys {
  const seed = createHash('sha256')
    .update('powerbank/market/handover-qr/ed25519\0')
    .update(appSecret)
    .digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  const raw = publicKey.export({ format: 'jwk' }).x ?? '';
  const kid = createHash('sha256').update(raw).digest('base64url').slice(0, 12);
  return { kid, privateKey, publicKey };
}

export function signHandoverToken(keys: HandoverKeys, claims: Omit<HandoverClaims, 'k'>): string {
  const body = `v1.${Buffer.from(JSON.stringify({ ...claims, k: keys.kid })).toString('base64url')}`;
  return `${body}.${sign(null, Buffer.from(body), keys.privateKey).toString('base64url')}`;
}

const CLAIMS = (v: unknown): v is HandoverClaims => {
  const c = v as Partial<HandoverClaims> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.q === 'string' &&
    typeof c.o === 'string' &&
    (c.t === 'pickup' || c.t === 'return') &&
    Number.isInteger(c.e) &&
    typeof c.k === 'string'
  );
};

/** The offline check a scanner app does too: signature, shape, expiry. Pure apart from the clock given. */
export function checkHandoverToken(publicKey: KeyObject, token: string, nowMs: number): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1' || !parts[1] || !parts[2])
    return { ok: false, reason: 'malformed' };
  const body = `${parts[0]}.${parts[1]}`;
  const signature = Buffer.from(parts[2], 'base64url');
  if (signature.length !== 64 || !verify(null, Buffer.from(body), publicKey, signature)) {
    return { ok: false, reason: 'tampered' };
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!CLAIMS(claims)) return { ok: false, reason: 'malformed' };
  if (claims.e * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/** What the database keeps of a token (its SHA-256, hex): a leaked row cannot be replayed as a QR code. */
export const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');
