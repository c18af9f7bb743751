import { Faq } from '@powerbank/db';
import { newNatsPrefix } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheSubjects } from '../platform/static-cache.ts';
import { STATIC_TABLES } from '../platform/static-tables.ts';
import { createTestApi, type TestApi } from '../testing/test-app.ts';

const MAX_BYTES = 64 * 1024;

describe('static response cache: bounded, keyed by the query the procedure reads', () => {
  let api: TestApi;
  const gauge = async (name: string) => {
    const metric = api.deps.metrics.registry.getSingleMetric(name);
    return (await metric!.get()).values[0]?.value ?? 0;
  };
  const stats = async () => ({
    entries: await gauge('static_response_cache_entries'),
    bytes: await gauge('static_response_cache_bytes'),
  });
  const answer = async (path: string) => {
    const res = await api.rest('GET', path);
    return {
      status: res.status,
      questions: res.body.data?.categories?.[0]?.items?.map((i: { question: string }) => i.question),
    };
  };

  beforeAll(async () => {
    const { prefix } = newNatsPrefix();
    api = await createTestApi({
      env: { STATIC_RESPONSE_CACHE_MAX_BYTES: String(MAX_BYTES), NATS_PREFIX: prefix },
    });
    // Seeding publishes an invalidation: let it land before the tests read (as the cache gets it).
    const seen = api.deps.nats.subscribe(cacheSubjects(prefix).invalidate(STATIC_TABLES.faq), { max: 1 });
    await api.deps.nats.flush();
    const em = api.deps.orm.em.fork();
    em.create(Faq, { category: 'rentals', question: 'How?', answer: 'Scan.', sortOrder: 1 });
    await em.flush();
    for await (const _ of seen) break;
  });
  afterAll(() => api.close());

  it('serves the same query in another order or spelling from one entry', async () => {
    expect(await answer('/api/content/faq?category=rentals&locale=en')).toEqual({
      status: 200,
      questions: ['How?'],
    });
    expect((await stats()).entries).toBe(1);
    // Behind the cache's back (no invalidation): only a kept answer still says "How?".
    await api.deps.orm.em.getConnection().execute(`update faq set question = 'Changed?'`);
    for (const query of [
      'locale=en&category=rentals',
      'category=rentals&locale=%65n',
      'locale=e%6E&category=rental%73',
    ]) {
      expect(await answer(`/api/content/faq?${query}`), query).toEqual({ status: 200, questions: ['How?'] });
    }
    expect((await stats()).entries).toBe(1);
  });

  it('stays within its bound under 10,000 random query strings', async () => {
    const random = () => Math.random().toString(36).slice(2, 12);
    for (let batch = 0; batch < 200; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          api.rest(
            'GET',
            i % 2 === 0
              ? `/api/content/faq?category=${random()}`
              : `/api/content/faq?locale=en&${random()}=${random()}`,
          ),
        ),
      );
    }
    const after = await stats();
    expect(after.bytes).toBeGreaterThan(MAX_BYTES / 2);
    expect(after.bytes).toBeLessThanOrEqual(MAX_BYTES);
    // Still a cache: a repeated query is kept.
    expect(await answer('/api/content/faq?category=rentals')).toMatchObject({ status: 200 });
  }, 120_000);
});
