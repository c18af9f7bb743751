import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp } from '../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../testing/test-app.ts';

describe('anonymous reads are rate-limited per IP', () => {
  let api: TestApi;
  const LIMIT = 5;
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  // A routed read: answers kept by the response cache (banners, countries…) leave before any limit.
  const banners = (headers: Record<string, string>) =>
    api.rest('GET', '/api/app/stations/nearby?lat=27.7&lng=85.3', undefined, headers);

  beforeAll(async () => {
    api = await createTestApi({
      env: { TRUST_PROXY: 'true', RATE_LIMIT_READ_MAX: String(LIMIT), RATE_LIMIT_WINDOW_MS: '60000' },
    });
  });
  afterAll(() => api.close());

  it('answers a flood of anonymous GETs from one IP with 429 and Retry-After after the limit; others go on', async () => {
    const flood = await Promise.all(Array.from({ length: LIMIT * 4 }, () => banners(from('198.51.100.7'))));
    const statuses = flood.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(LIMIT * 3);
    const refused = flood.find((res) => res.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });
    // tRPC reads count too.
    const trpc = await api.fetch('http://api.test/trpc/content.banners', { headers: from('198.51.100.7') });
    expect(trpc.status).toBe(429);

    // Another IP, and a signed-in user behind the flooded IP, are not held back.
    expect((await banners(from('198.51.100.8'))).status).toBe(200);
    const user = await signUp(api);
    expect((await banners({ ...from('198.51.100.7'), ...bearer(user.token) })).status).toBe(200);
  });
});
