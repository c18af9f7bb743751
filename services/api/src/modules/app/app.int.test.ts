import { createApiClient } from '@powerbank/api-client';
import { AppVersion } from '@powerbank/db';
import { startPrivateNatsServer } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi } from '../../testing/test-app.ts';

describe('app.version', () => {
  let api: Awaited<ReturnType<typeof createTestApi>>;

  beforeAll(async () => {
    api = await createTestApi();
    const em = api.deps.orm.em.fork();
    em.create(AppVersion, {
      platform: 'ios',
      version: '1.0.0',
      minSupportedVersion: '1.0.0',
      releasedAt: new Date('2026-01-01T00:00:00Z'),
    });
    em.create(AppVersion, {
      platform: 'ios',
      version: '1.2.0',
      minSupportedVersion: '1.0.0',
      forceUpdate: true,
      releasedAt: new Date('2026-06-01T00:00:00Z'),
    });
    em.create(AppVersion, {
      platform: 'android',
      version: '1.1.0',
      minSupportedVersion: '1.1.0',
      releasedAt: new Date('2026-03-01T00:00:00Z'),
    });
    await em.flush();
  });
  afterAll(() => api.close());

  it('REST and the typed tRPC client return the same newest release per platform', async () => {
    const rest = await api.rest('GET', '/api/app/version');
    expect(rest.status).toBe(200);
    expect(rest.body.success).toBe(true);

    const client = createApiClient({ url: 'http://api.test', fetch: api.fetch });
    const viaTrpc = await client.app.version.query({});
    // Platforms in their declared order (ios, android, web), newest release of each.
    expect(viaTrpc.versions.map((v) => [v.platform, v.version])).toEqual([
      ['ios', '1.2.0'],
      ['android', '1.1.0'],
    ]);
    expect(viaTrpc.versions[0]!.releasedAt).toBeInstanceOf(Date);
    // Same data; REST carries dates as ISO strings.
    expect(rest.body.data).toEqual(JSON.parse(JSON.stringify(viaTrpc)));
  });

  it('filters by platform and refuses an unknown one with a 400 naming the field', async () => {
    const ok = await api.rest('GET', '/api/app/version?platform=android');
    expect(ok.body.data.versions).toHaveLength(1);
    const bad = await api.rest('GET', '/api/app/version?platform=symbian');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
    expect(bad.body.error.details.fields[0].path).toBe('platform');
  });

  it('a repeated ask is answered from the response cache (ETag, 304), a new release seen at once', async () => {
    const first = await api.rest('GET', '/api/app/version?platform=ios');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await api.app.fetch(
      new Request('http://test/api/app/version?platform=ios', { headers: { 'if-none-match': etag! } }),
    );
    expect(again.status).toBe(304);

    // A release written through the ORM invalidates app_version on every instance.
    const em = api.deps.orm.em.fork();
    em.create(AppVersion, {
      platform: 'ios',
      version: '1.3.0',
      minSupportedVersion: '1.0.0',
      releasedAt: new Date('2026-09-01T00:00:00Z'),
    });
    await em.flush();
    await expect
      .poll(
        async () => (await api.rest('GET', '/api/app/version?platform=ios')).body.data.versions[0].version,
      )
      .toBe('1.3.0');
  });

  it('answers unknown paths with the REST error envelope', async () => {
    const missing = await api.rest('GET', '/api/app/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
  });

  it('serves Prometheus metrics including the request histogram', async () => {
    const response = await api.app.fetch(new Request('http://api.test/metrics'));
    const text = await response.text();
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toContain('route="/api/*"');
  });
});

describe('app.health', () => {
  it('is 200 with every dependency up, 503 naming NATS while it is down, and 200 again after', async () => {
    const nats = await startPrivateNatsServer();
    const api = await createTestApi({ natsUrl: nats.url });
    try {
      const up = await api.rest('GET', '/api/app/health');
      expect(up.status).toBe(200);
      expect(up.body.data).toMatchObject({
        status: 'ok',
        checks: { postgres: 'up', nats: 'up', mqtt: 'up' },
      });

      await nats.stop();
      const down = await api.rest('GET', '/api/app/health');
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(down.body.error.details.down).toEqual(['nats']);
      expect(down.body.error.message).toContain('nats');

      const client = createApiClient({ url: 'http://api.test', fetch: api.fetch });
      await expect(client.app.health.query({})).rejects.toMatchObject({
        data: { code: 'SERVICE_UNAVAILABLE' },
      });

      await nats.start();
      await expect
        .poll(async () => (await api.rest('GET', '/api/app/health')).status, { timeout: 10_000 })
        .toBe(200);
    } finally {
      await api.close();
      await nats.dispose();
    }
  });
});
