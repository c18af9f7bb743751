import type { EntityManager } from '@mikro-orm/postgresql';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { type ADMIN_ROLES, prepared, runPrepared, type User, UserDevice, UserSession } from '@powerbank/db';

/**
 * Sessions as Lucia's guide describes them (the `lucia` package itself is
 * deprecated): the client holds a random token, the database holds only its
 * SHA-256, so a leaked table grants no access. Expiry slides: a session used
 * when less than `renewWithinMs` is left is extended to a full `ttlMs` again.
 */
export interface SessionPolicy {
  ttlMs: number;
  renewWithinMs: number;
}

export type AdminRole = (typeof ADMIN_ROLES)[number];

/** What a valid session tells the rest of a request: plain values, no entity of another entity manager. */
export interface SessionAuth {
  session: { id: string; expiresAt: Date };
  user: { id: string; status: string };
  /** Set when the user is staff with an active AdminProfile. */
  admin: { id: string; role: AdminRole } | null;
}

export interface NewSession {
  token: string;
  session: UserSession;
}

export interface SessionMeta {
  ip?: string | null;
  userAgent?: string | null;
  deviceId?: string | null;
}

/** 20 random bytes (160 bits), base32: the value clients send as `Authorization: Bearer …`. */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** The stored id of a token: SHA-256, hex. */
export function sessionIdOf(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** Persists (on the caller's flush) a new session for `user` and returns its token, shown once. */
export function createSession(
  em: EntityManager,
  user: User,
  policy: SessionPolicy,
  meta: SessionMeta = {},
): NewSession {
  const token = generateSessionToken();
  const session = em.create(UserSession, {
    id: sessionIdOf(token),
    user,
    device: meta.deviceId ? em.getReference(UserDevice, meta.deviceId) : null,
    expiresAt: new Date(Date.now() + policy.ttlMs),
    lastUsedAt: new Date(),
    ip: meta.ip?.slice(0, 64) ?? null,
    userAgent: meta.userAgent?.slice(0, 255) ?? null,
  });
  return { token, session };
}

/**
 * The session a token stands for, or null when it is unknown, revoked, expired
 * or its user is no longer active. Extends the expiry when it is due (sliding).
 * `em` may be the ORM's global entity manager: only a renewal needs a fork.
 */
export async function validateSessionToken(
  em: EntityManager,
  token: string,
  policy: SessionPolicy,
): Promise<SessionAuth | null> {
  // A token is 32 base32 characters; anything else cannot be one, so skip the query.
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  // Session, user and staff role in one round trip: this runs on every authenticated request.
  const [row] = await runPrepared(em, SESSION, { id: sessionIdOf(token) });
  if (!row || row.revoked_at) return null;
  const now = Date.now();
  let expiresAt = new Date(row.expires_at);
  if (expiresAt.getTime() <= now) return null;
  if (row.user_status !== 'active') return null;

  if (expiresAt.getTime() - now < policy.renewWithinMs) {
    expiresAt = new Date(now + policy.ttlMs);
    await em.fork().nativeUpdate(UserSession, { id: row.id }, { expiresAt, lastUsedAt: new Date(now) });
  }
  return {
    session: { id: row.id, expiresAt },
    user: { id: row.user_id, status: row.user_status },
    admin: row.admin_id ? { id: row.admin_id, role: row.admin_role as AdminRole } : null,
  };
}

/** Session, user and active staff role of a session id. */
const SESSION = prepared((db, p: { id: string }) =>
  db
    .selectFrom('user_session as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('admin_profile as a', (join) =>
      join.onRef('a.user_id', '=', 'u.id').on('a.is_active', '=', true),
    )
    .select([
      's.id',
      's.expires_at',
      's.revoked_at',
      'u.id as user_id',
      'u.status as user_status',
      'a.id as admin_id',
      'a.role as admin_role',
    ])
    .where('s.id', '=', p.id)
    .limit(1),
);

/**
 * Revokes one session (logout, refresh) and says whether this call did: false when
 * it was revoked already. A conditional update, so of concurrent callers exactly one
 * gets true — Postgres re-checks `revoked_at is null` after waiting for the row lock.
 */
export async function revokeSession(em: EntityManager, sessionId: string): Promise<boolean> {
  const revoked = await em.nativeUpdate(
    UserSession,
    { id: sessionId, revokedAt: null },
    { revokedAt: new Date() },
  );
  return revoked > 0;
}

/** Revokes every session of a user (account deletion, suspension); answers how many were live. */
export async function revokeAllSessions(em: EntityManager, userId: string): Promise<number> {
  return em.nativeUpdate(UserSession, { user: userId, revokedAt: null }, { revokedAt: new Date() });
}

/** `Authorization: Bearer <token>` → the token, else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}
