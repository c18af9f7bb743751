import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { requestHeader } from './request-header.ts';

/**
 * The caller's IP address. Behind a proxy (`TRUST_PROXY=true`) it is the last
 * `X-Forwarded-For` entry: the one our own proxy appended, which a client cannot
 * forge (earlier entries are whatever the client sent). Otherwise the socket's
 * peer address; a header is never believed when nothing vouches for it.
 * In-process calls (`app.fetch` in tests) have no socket: they share 'unknown'.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = requestHeader(c, 'x-forwarded-for');
    const last = forwarded?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // No Node socket behind this request (c.env has no `incoming`).
    return 'unknown';
  }
}

/** Who is calling, as audit rows and OTP send limits record it. */
export function clientInfo(c: Context, trustProxy: boolean): { ip: string; userAgent: string | null } {
  return { ip: clientIp(c, trustProxy), userAgent: requestHeader(c, 'user-agent')?.slice(0, 255) ?? null };
}
