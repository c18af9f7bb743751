import { createApiClient } from '@powerbank/api-client';
import { AppUpdate, Banner, ContactInfo, ContentPage, Country, Faq } from '@powerbank/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishInvalidation } from '../../platform/static-cache.ts';
import { STATIC_TABLES } from '../../platform/static-tables.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';
import { aStation } from '../stations/station.builders.ts';

const DAY = 86_400_000;

describe('app and content endpoints', () => {
  let api: TestApi;
  let client: ReturnType<typeof createApiClient>;

  beforeAll(async () => {
    api = await createTestApi();
    client = createApiClient({ url: 'http://api.test', fetch: api.fetch });
    const em = api.deps.orm.em.fork();
    const now = Date.now();
    em.create(Banner, { title: 'Second', imageUrl: 'https://x/2.jpg', sortOrder: 2 });
    em.create(Banner, {
      title: 'First',
      imageUrl: 'https://x/1.jpg',
      sortOrder: 1,
      startsAt: new Date(now - DAY),
      endsAt: new Date(now + DAY),
    });
    em.create(Banner, { title: 'Inactive', imageUrl: 'https://x/3.jpg', isActive: false });
    em.create(Banner, { title: 'Future', imageUrl: 'https://x/4.jpg', startsAt: new Date(now + DAY) });
    em.create(Banner, { title: 'Past', imageUrl: 'https://x/5.jpg', endsAt: new Date(now - DAY) });
    em.create(Country, { code: 'NP', name: 'Nepal', dialCode: '+977', currency: 'NPR', sortOrder: 1 });
    em.create(Country, { code: 'US', name: 'United States', dialCode: '+1', currency: 'USD', sortOrder: 0 });
    em.create(Country, { code: 'XX', name: 'Nowhere', dialCode: '+0', currency: 'XXX', isActive: false });
    for (const slug of ['terms-of-service', 'privacy-policy', 'about']) {
      em.create(ContentPage, { slug, title: `${slug} title`, body: `${slug} body` });
    }
    em.create(ContentPage, { slug: 'about', locale: 'ne', title: 'हाम्रो बारेमा', body: 'नेपाली' });
    em.create(ContactInfo, { kind: 'phone', label: 'Hotline', value: '+1 555', sortOrder: 2 });
    em.create(ContactInfo, { kind: 'email', label: 'Support', value: 'help@x', sortOrder: 1 });
    em.create(ContactInfo, { kind: 'website', label: 'Old', value: 'x', isActive: false });
    em.create(Faq, { category: 'rentals', question: 'How?', answer: 'Scan.', sortOrder: 1 });
    em.create(Faq, { category: 'payments', question: 'Points?', answer: '10 = 1.', sortOrder: 2 });
    em.create(Faq, { category: 'rentals', question: 'Late?', answer: 'Fee.', sortOrder: 3 });
    em.create(Faq, { category: 'rentals', question: 'Hidden', answer: '-', isActive: false });
    em.create(AppUpdate, { version: '2.0.0', title: 'All', notes: 'n', releasedAt: new Date('2026-10-01') });
    em.create(AppUpdate, {
      version: '2.0.1',
      platform: 'android',
      title: 'Android',
      notes: 'n',
      isCritical: true,
      releasedAt: new Date('2026-10-05'),
    });
    em.create(AppUpdate, {
      version: '2.0.2',
      platform: 'ios',
      title: 'iOS',
      notes: 'n',
      releasedAt: new Date('2026-10-03'),
    });
    aStation(em, { sn: 'PARITY-1', name: 'Parity', lat: 27.7, lng: 85.3 });
    await em.flush();
  });
  afterAll(() => api.close());

  // Every public endpoint of this issue (items 6 and 7): REST path and the same call over tRPC.
  const table: [string, (c: ReturnType<typeof createApiClient>) => Promise<unknown>][] = [
    ['/api/app/banners', (c) => c.content.banners.query({})],
    ['/api/app/countries', (c) => c.content.countries.query({})],
    ['/api/content/terms-of-service', (c) => c.content.termsOfService.query({})],
    ['/api/content/privacy-policy', (c) => c.content.privacyPolicy.query({})],
    ['/api/content/about', (c) => c.content.about.query({})],
    ['/api/content/about?locale=ne', (c) => c.content.about.query({ locale: 'ne' })],
    ['/api/content/contact', (c) => c.content.contact.query({})],
    ['/api/content/faq', (c) => c.content.faq.query({})],
    ['/api/content/faq?category=rentals', (c) => c.content.faq.query({ category: 'rentals' })],
    ['/api/content/app-updates', (c) => c.content.appUpdates.query({})],
    ['/api/content/app-updates?platform=ios', (c) => c.content.appUpdates.query({ platform: 'ios' })],
    ['/api/app/stations', (c) => c.stations.list.query({})],
    [
      '/api/app/stations?available_only=true&page_size=5&city=Testville',
      (c) => c.stations.list.query({ available_only: true, page_size: 5, city: 'Testville' }),
    ],
    ['/api/app/stations/PARITY-1', (c) => c.stations.bySn.query({ sn: 'PARITY-1' })],
    [
      '/api/app/stations/nearby?lat=27.7&lng=85.3&radius=500',
      (c) => c.stations.nearby.query({ lat: 27.7, lng: 85.3, radius: 500 }),
    ],
  ];

  it.each(table)('%s answers the same over REST and tRPC', async (path, call) => {
    const rest = await api.rest('GET', path);
    expect(rest.status).toBe(200);
    expect(rest.body.success).toBe(true);
    const viaTrpc = await call(client);
    // Same data; REST carries dates as ISO strings.
    expect(rest.body.data).toEqual(JSON.parse(JSON.stringify(viaTrpc)));
  });

  it('every path of the table is in the OpenAPI document', async () => {
    const doc = (await (await api.fetch('http://api.test/api/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    const documented = Object.keys(doc.paths);
    for (const path of [
      '/api/app/banners',
      '/api/app/countries',
      '/api/content/terms-of-service',
      '/api/content/privacy-policy',
      '/api/content/about',
      '/api/content/contact',
      '/api/content/faq',
      '/api/content/app-updates',
      '/api/app/stations',
      '/api/app/stations/{sn}',
      '/api/app/stations/nearby',
    ]) {
      expect(documented.some((p) => p === path || p === path.slice('/api'.length))).toBe(true);
    }
  });

  it('banners: active ones within their dates, by sort order', async () => {
    const { banners } = await client.content.banners.query({});
    expect(banners.map((b) => b.title)).toEqual(['First', 'Second']);
  });

  it('countries: active ones by sort order', async () => {
    const { countries } = await client.content.countries.query({});
    expect(countries.map((c) => c.code)).toEqual(['US', 'NP']);
  });

  it('countries over REST: the cached envelope with an ETag (304 when unchanged), dropped by an invalidation', async () => {
    const codes = async () => {
      const res = await api.rest('GET', '/api/app/countries');
      expect(res.headers.get('x-request-id')).toBeTruthy();
      return {
        etag: res.headers.get('etag'),
        codes: res.body.data.countries.map((c: { code: string }) => c.code),
      };
    };
    const first = await codes();
    expect(first.codes).toEqual(['US', 'NP']);
    expect(first.etag).toMatch(/^"[\w-]+"$/);
    const again = await codes();
    expect(again).toEqual(first);

    const conditional = await api.app.fetch(
      new Request('http://api.test/api/app/countries', { headers: { 'if-none-match': String(first.etag) } }),
    );
    expect(conditional.status).toBe(304);
    expect(conditional.headers.get('etag')).toBe(first.etag);

    // Behind the cache's back: the cached answer stays until the table is invalidated.
    await api.deps.orm.em.getConnection().execute(`update country set sort_order = 5 where code = 'US'`);
    expect((await codes()).codes).toEqual(['US', 'NP']);
    await publishInvalidation(api.deps.nats, api.deps.env.NATS_PREFIX, STATIC_TABLES.country);
    await expect.poll(async () => (await codes()).codes, { timeout: 5_000 }).toEqual(['NP', 'US']);
    expect((await codes()).etag).not.toBe(first.etag);
    await api.deps.orm.em.getConnection().execute(`update country set sort_order = 0 where code = 'US'`);
    await publishInvalidation(api.deps.nats, api.deps.env.NATS_PREFIX, STATIC_TABLES.country);
    await expect.poll(async () => (await codes()).codes, { timeout: 5_000 }).toEqual(['US', 'NP']);
  });

  it('a cached answer (given before routing) still names, counts and keys itself like any request', async () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      api.app.fetch(new Request(`http://api.test${path}`, { headers }));
    const counted = async () => {
      const text = await (await get('/metrics')).text();
      const line =
        /^http_request_duration_seconds_count\{method="GET",route="\/api\/\*",status="200"\} (\d+)$/m;
      return Number(text.match(line)?.[1] ?? 0);
    };
    await get('/api/app/countries'); // fills the cache
    const before = await counted();
    const kept = await get('/api/app/countries', { 'x-request-id': 'edge-77' });
    expect(kept.headers.get('x-request-id')).toBe('edge-77');
    const forged = await get('/api/app/countries', { 'x-request-id': 'a b;c' });
    expect(forged.headers.get('x-request-id')).toMatch(/^[\da-f-]{36}$/);
    expect(await counted()).toBe(before + 2);

    // The query string is part of the key: an unknown parameter is still refused, not answered from the cache.
    expect((await api.rest('GET', '/api/app/countries?locale=en')).status).toBe(400);
    // Other methods on a cached path are never answered from the cache.
    expect((await api.rest('POST', '/api/app/countries')).status).not.toBe(200);
  });

  it('pages: in the asked locale, else English; contact and FAQ in order', async () => {
    expect((await client.content.about.query({ locale: 'ne' })).body).toBe('नेपाली');
    expect((await client.content.termsOfService.query({ locale: 'ne' })).locale).toBe('en');
    expect((await client.content.contact.query({})).contacts.map((c) => c.kind)).toEqual(['email', 'phone']);
    const faq = await client.content.faq.query({});
    expect(faq.categories.map((g) => [g.category, g.items.map((i) => i.question)])).toEqual([
      ['rentals', ['How?', 'Late?']],
      ['payments', ['Points?']],
    ]);
    expect((await client.content.faq.query({ category: 'nothing' })).categories).toEqual([]);
  });

  it('app updates: newest first; a platform sees its own and the all-platform ones', async () => {
    expect((await client.content.appUpdates.query({})).updates.map((u) => u.version)).toEqual([
      '2.0.1',
      '2.0.2',
      '2.0.0',
    ]);
    expect(
      (await client.content.appUpdates.query({ platform: 'ios' })).updates.map((u) => u.version),
    ).toEqual(['2.0.2', '2.0.0']);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    for (const [path, field] of [
      ['/api/content/about?locale=../../etc', 'locale'],
      ['/api/content/faq?category=%27%20or%201=1', 'category'],
      ['/api/content/app-updates?platform=symbian', 'platform'],
      ['/api/app/banners?x=1', ''],
    ] as const) {
      const res = await api.rest('GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(field);
    }
  });

  it('a missing page is a 404', async () => {
    const em = api.deps.orm.em.fork();
    await em.nativeDelete(ContentPage, { slug: 'privacy-policy' });
    // Cached earlier by the parity test: a native delete publishes nothing, so drop it like a reconnect would.
    await publishInvalidation(api.deps.nats, api.deps.env.NATS_PREFIX, STATIC_TABLES.contentPage);
    await expect
      .poll(async () => (await api.rest('GET', '/api/content/privacy-policy')).status, { timeout: 5_000 })
      .toBe(404);
  });

  it('a banner changed through the ORM is served fresh (cache invalidated over NATS)', async () => {
    expect((await client.content.banners.query({})).banners[0]?.title).toBe('First');
    // Behind the cache's back: still the cached answer.
    await api.deps.orm.em.getConnection().execute(`update banner set title = 'Sneaky' where title = 'First'`);
    expect((await client.content.banners.query({})).banners[0]?.title).toBe('First');

    const em = api.deps.orm.em.fork();
    const second = await em.findOneOrFail(Banner, { title: 'Second' });
    second.sortOrder = 0;
    await em.flush();
    await expect
      .poll(async () => (await client.content.banners.query({})).banners.map((b) => b.title), {
        timeout: 5_000,
      })
      .toEqual(['Second', 'Sneaky']);
  });
  it('REST banners come from the response cache, kept a second at most: a closing window is followed', async () => {
    const em = api.deps.orm.em.fork();
    em.create(Banner, {
      title: 'Brief',
      imageUrl: 'https://x/6.jpg',
      sortOrder: 9,
      endsAt: new Date(Date.now() + 1_500),
    });
    await em.flush();
    const titles = async () => {
      const res = await api.rest('GET', '/api/app/banners');
      expect(res.headers.get('etag')).toBeTruthy();
      return res.body.data.banners.map((b: { title: string }) => b.title);
    };
    await expect.poll(titles).toContain('Brief');
    // No write ends it (nothing is invalidated): only the answer's age does.
    await expect.poll(titles, { timeout: 4_000 }).not.toContain('Brief');
  });
});
