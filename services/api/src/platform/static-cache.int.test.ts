import { AppVersion } from '@powerbank/db';
import { connectNats, type NatsConnection } from '@powerbank/messaging';
import { newNatsPrefix } from '@powerbank/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/test-app.ts';
import { cacheSubjects, publishInvalidation, StaticCache } from './static-cache.ts';
import { STATIC_TABLES } from './static-tables.ts';

const iosVersion = async (api: TestApi) => {
  const response = await api.rest('GET', '/api/app/version?platform=ios');
  return response.body.data.versions[0]?.version as string | undefined;
};

describe('static-table cache across two api instances (same database, same NATS)', () => {
  const { prefix } = newNatsPrefix();
  let first: TestApi;
  let second: TestApi;
  let outsider: NatsConnection;

  beforeAll(async () => {
    first = await createTestApi({ env: { NATS_PREFIX: prefix } });
    second = await createTestApi({ env: { NATS_PREFIX: prefix }, databaseUrl: first.databaseUrl });
    outsider = await connectNats(first.deps.env.NATS_URL, 'cache-test-outsider');
    // Both instances' subscriptions are registered at the server before anyone publishes.
    await Promise.all([first.deps.nats.flush(), second.deps.nats.flush()]);
    // Seeding through the ORM publishes an invalidation too: let it land before the test reads.
    const seen = outsider.subscribe(cacheSubjects(prefix).invalidate(STATIC_TABLES.appVersion), { max: 1 });
    await outsider.flush();
    const em = first.deps.orm.em.fork();
    em.create(AppVersion, {
      platform: 'ios',
      version: '1.0.0',
      minSupportedVersion: '1.0.0',
      releasedAt: new Date('2026-01-01T00:00:00Z'),
    });
    await em.flush();
    for await (const _ of seen) break;
    await second.deps.nats.flush();
  });
  afterAll(async () => {
    await outsider?.close();
    await second?.close();
    await first?.close();
  });

  it('serves from memory until told, then reloads: a write through the ORM on one instance reaches the other', async () => {
    expect(await iosVersion(second)).toBe('1.0.0');

    // Behind the cache's back (raw SQL, no event): the cached answer stays.
    await second.deps.orm.em
      .getConnection()
      .execute(`update app_version set version = '1.0.1' where version = '1.0.0'`);
    expect(await iosVersion(second)).toBe('1.0.0');

    // A change through the database layer of the FIRST instance invalidates the SECOND one's cache.
    const em = first.deps.orm.em.fork();
    em.create(AppVersion, {
      platform: 'ios',
      version: '2.0.0',
      minSupportedVersion: '1.0.0',
      releasedAt: new Date('2026-06-01T00:00:00Z'),
    });
    await em.flush();
    await expect.poll(() => iosVersion(second), { timeout: 5_000 }).toBe('2.0.0');
  });

  it('also reloads on an invalidation published by another process, and only for that prefix', async () => {
    expect(await iosVersion(second)).toBe('2.0.0');
    await second.deps.orm.em
      .getConnection()
      .execute(`update app_version set version = '2.0.1' where version = '2.0.0'`);

    // Another deployment's prefix does not touch this one. The marker: the server has the message
    // (publishInvalidation flushes), so its answer to a ping from the second instance comes after
    // the message, had it been routed there, and the cache's handler runs as it arrives.
    await publishInvalidation(outsider, `${prefix}other`, STATIC_TABLES.appVersion);
    await second.deps.nats.flush();
    expect(await iosVersion(second)).toBe('2.0.0');

    await publishInvalidation(outsider, prefix, STATIC_TABLES.appVersion);
    await expect.poll(() => iosVersion(second), { timeout: 5_000 }).toBe('2.0.1');
    await expect.poll(() => iosVersion(first), { timeout: 5_000 }).toBe('2.0.1');
  });
});

describe('StaticCache', () => {
  const { prefix } = newNatsPrefix();
  let nats: NatsConnection;
  let cache: StaticCache;

  beforeAll(async () => {
    nats = await connectNats('nats://127.0.0.1:4222', 'static-cache-test');
    cache = new StaticCache({ nats, prefix, ttlMs: 0, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    cache.close();
    await nats.close();
  });

  it('shares one load between concurrent callers and does not keep a failed load', async () => {
    let loads = 0;
    let finish = () => {};
    const loaded = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const load = async () => {
      loads++;
      await loaded;
      return loads;
    };
    // The second caller asks while the first load is still running: it ends only when told to.
    const both = Promise.all([cache.get('t', 'k', load), cache.get('t', 'k', load)]);
    finish();
    const [a, b] = await both;
    expect([a, b, loads]).toEqual([1, 1, 1]);

    await expect(cache.get('t', 'bad', () => Promise.reject(new Error('db down')))).rejects.toThrow(
      'db down',
    );
    expect(await cache.get('t', 'bad', async () => 'recovered')).toBe('recovered');
  });

  it('expires entries after the TTL even without an invalidation', async () => {
    const short = new StaticCache({ nats, prefix, ttlMs: 50, logger: pino({ level: 'silent' }) });
    try {
      let n = 0;
      const load = async () => ++n;
      expect(await short.get('t', 'k', load)).toBe(1);
      expect(await short.get('t', 'k', load)).toBe(1);
      await expect.poll(() => short.get('t', 'k', load), { timeout: 2_000, interval: 10 }).toBe(2);
      expect(n).toBe(2);
    } finally {
      short.close();
    }
  });
});
