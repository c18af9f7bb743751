import { apiEnv, parseConfig } from '@powerbank/config';
import { Hono } from 'hono';
import { MemoryStore } from 'hono-rate-limiter';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../hono-env.ts';
import { isAuthRequest, isWriteRequest, rateLimits } from './rate-limit.ts';

describe('rate limit keys', () => {
  it('count a signed-in user as themself, not as the IP they share', async () => {
    const env = parseConfig(apiEnv, { RATE_LIMIT_WRITE_MAX: '1' });
    const app = new Hono<AppEnv>();
    // Stands in for the session middleware, which sets userId before the limits.
    app.use('*', async (c, next) => {
      const user = c.req.header('x-test-user');
      if (user) c.set('userId', user);
      await next();
    });
    // In memory here: the keys and limits are what is tested (the shared store has its integration test).
    for (const limit of rateLimits(env, () => new MemoryStore())) app.use('*', limit);
    app.post('/api/things', (c) => c.json({ ok: true }));
    const post = (user?: string) =>
      app.request('/api/things', { method: 'POST', headers: user ? { 'x-test-user': user } : {} });

    expect((await post('u1')).status).toBe(200);
    expect((await post('u1')).status).toBe(429);
    expect((await post('u2')).status).toBe(200);
    // Anonymous callers share their IP's bucket ('unknown' in-process), apart from users'.
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(429);
  });

  it('recognise auth and write requests on both transports', () => {
    expect(isAuthRequest('/api/auth/login')).toBe(true);
    expect(isAuthRequest('/api/authors')).toBe(false);
    expect(isAuthRequest('/trpc/auth.login')).toBe(true);
    expect(isAuthRequest('/trpc/app.version,auth.me')).toBe(true);
    expect(isAuthRequest('/trpc/app.version')).toBe(false);
    expect(isWriteRequest('POST', '/trpc/app.version')).toBe(true);
    expect(isWriteRequest('DELETE', '/api/account')).toBe(true);
    expect(isWriteRequest('GET', '/api/account')).toBe(false);
    expect(isWriteRequest('POST', '/metrics')).toBe(false);
    // Auth paths count against the auth limit alone (one counter upsert per request, not two).
    expect(isWriteRequest('POST', '/api/auth/login')).toBe(false);
    expect(isWriteRequest('POST', '/trpc/auth.logout')).toBe(false);
    expect(isWriteRequest('POST', '/trpc/wallet.topup,auth.logout')).toBe(false);
  });
});
