import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformTestRouter } from '../testing/fixture-api.ts';
import { createTestApi, type TestApi } from '../testing/test-app.ts';

describe('rate limits on writes and auth paths, per client IP (behind a trusted proxy)', () => {
  let api: TestApi;
  const from = (ip: string) => ({ 'x-forwarded-for': `203.0.113.250, ${ip}` });

  beforeAll(async () => {
    api = await createTestApi({
      router: platformTestRouter,
      env: {
        TRUST_PROXY: 'true',
        RATE_LIMIT_WRITE_MAX: '2',
        RATE_LIMIT_AUTH_MAX: '3',
        RATE_LIMIT_WINDOW_MS: '60000',
      },
    });
  });
  afterAll(() => api.close());

  it('refuses the third REST write in a window with 429, Retry-After and the envelope; other IPs and reads go on', async () => {
    const body = { name: 'Ada', count: 1 };
    expect((await api.rest('POST', '/api/fixture/echo', body, from('198.51.100.1'))).status).toBe(200);
    expect((await api.rest('POST', '/api/fixture/echo', body, from('198.51.100.1'))).status).toBe(200);
    const refused = await api.rest('POST', '/api/fixture/echo', body, from('198.51.100.1'));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });

    // The last X-Forwarded-For entry is the client: the first one is whatever the client claimed.
    expect((await api.rest('POST', '/api/fixture/echo', body, from('198.51.100.2'))).status).toBe(200);
    expect((await api.rest('GET', '/api/fixture/search?q=x', undefined, from('198.51.100.1'))).status).toBe(
      200,
    );
  });

  it('counts tRPC mutations too and refuses in the tRPC error shape the typed client reads', async () => {
    const call = () =>
      api.app.fetch(
        new Request('http://api.test/trpc/fixture.echo', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...from('198.51.100.3') },
          body: JSON.stringify(superjson.serialize({ name: 'Ada', count: 1 })),
        }),
      );
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const body = (await refused.json()) as { error: Parameters<typeof superjson.deserialize>[0] };
    expect(superjson.deserialize(body.error)).toMatchObject({
      code: -32029,
      data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, appCode: 'RATE_LIMITED' },
    });
  });

  it('limits auth paths on both transports, whatever the method, batches included', async () => {
    const ip = from('198.51.100.4');
    for (let i = 0; i < 3; i++)
      expect((await api.rest('GET', '/api/auth/me', undefined, ip)).status).toBe(404);
    expect((await api.rest('GET', '/api/auth/me', undefined, ip)).status).toBe(429);

    const batch = () =>
      api.app.fetch(
        new Request('http://api.test/trpc/app.version,auth.me?batch=1', { headers: from('198.51.100.5') }),
      );
    for (let i = 0; i < 3; i++) expect((await batch()).status).not.toBe(429);
    expect((await batch()).status).toBe(429);
    // Reads that are not auth are not limited.
    for (let i = 0; i < 5; i++) {
      expect((await api.rest('GET', '/api/app/version', undefined, from('198.51.100.5'))).status).toBe(200);
    }
  });

  it('an auth write counts against the auth limit only: the write budget is left whole', async () => {
    const ip = from('198.51.100.6');
    const getOtp = () => api.rest('POST', '/api/auth/get-otp', { phone: '+15550100000' }, ip);
    // Three auth POSTs (the auth limit): none spends the write limit's two.
    for (let i = 0; i < 3; i++) expect((await getOtp()).status).not.toBe(429);
    expect((await getOtp()).status).toBe(429);
    const body = { name: 'Ada', count: 1 };
    expect((await api.rest('POST', '/api/fixture/echo', body, ip)).status).toBe(200);
    expect((await api.rest('POST', '/api/fixture/echo', body, ip)).status).toBe(200);
    expect((await api.rest('POST', '/api/fixture/echo', body, ip)).status).toBe(429);
  });
});

describe('without a trusted proxy', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi({
      router: platformTestRouter,
      env: { TRUST_PROXY: 'false', RATE_LIMIT_WRITE_MAX: '1' },
    });
  });
  afterAll(() => api.close());

  it('ignores X-Forwarded-For, so a client cannot dodge the limit by inventing addresses', async () => {
    const body = { name: 'Ada', count: 1 };
    expect(
      (await api.rest('POST', '/api/fixture/echo', body, { 'x-forwarded-for': '192.0.2.1' })).status,
    ).toBe(200);
    expect(
      (await api.rest('POST', '/api/fixture/echo', body, { 'x-forwarded-for': '192.0.2.2' })).status,
    ).toBe(429);
  });
});

describe('counters shared by every api instance (the database store)', () => {
  let one: TestApi;
  let two: TestApi;
  const env = { TRUST_PROXY: 'true', RATE_LIMIT_WRITE_MAX: '5', RATE_LIMIT_WINDOW_MS: '1500' };
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const echo = (api: TestApi, ip: string) =>
    api.rest('POST', '/api/fixture/echo', { name: 'Ada', count: 1 }, from(ip)).then((r) => r.status);

  beforeAll(async () => {
    one = await createTestApi({ router: platformTestRouter, env });
    two = await createTestApi({ router: platformTestRouter, env, databaseUrl: one.databaseUrl });
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  it('two instances give one client the configured limit together, not each', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await echo(i % 2 ? two : one, '198.51.100.20'));
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(await echo(two, '198.51.100.20')).toBe(200);
    expect(await echo(one, '198.51.100.20')).toBe(429);
    expect(await echo(two, '198.51.100.20')).toBe(429);
  });

  it('concurrent requests on both instances: exactly the limit gets through', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => echo(i % 2 ? two : one, '198.51.100.21')),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
  });

  it('a new window starts at one, and ended windows are swept', async () => {
    for (let i = 0; i < 5; i++) await echo(one, '198.51.100.22');
    expect(await echo(two, '198.51.100.22')).toBe(429);
    const sql = <T>(q: string) => one.deps.orm.em.getConnection().execute<T[]>(q);
    // The window ends when the database's clock says so (it stamps and compares `reset_at`).
    await expect
      .poll(
        async () =>
          (
            await sql<{ ended: boolean }>(
              `select reset_at <= now() as ended from rate_limit_counter where key = 'write:ip:198.51.100.22'`,
            )
          )[0]?.ended,
        { timeout: 10_000, interval: 50 },
      )
      .toBe(true);
    expect(await echo(two, '198.51.100.22')).toBe(200);
    const rows = await sql<{ key: string; hits: number }>(
      `select key, hits from rate_limit_counter where key like '%198.51.100.22'`,
    );
    expect(rows).toEqual([{ key: 'write:ip:198.51.100.22', hits: 1 }]);
    // The other clients' windows have ended: a request once a window sweeps them, in the background.
    // Each probe is such a request, from a client outside the swept range.
    await expect
      .poll(
        async () => {
          await echo(two, '198.51.100.30');
          return (
            await sql<{ key: string }>(`select key from rate_limit_counter where key like '%198.51.100.2_'`)
          ).map((r) => r.key);
        },
        { timeout: 10_000, interval: 100 },
      )
      .toEqual(['write:ip:198.51.100.22']);
  });
});
