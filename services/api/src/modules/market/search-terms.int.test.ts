import { Product, valuesOf } from '@powerbank/db';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApi } from '../../testing/auth-helpers.ts';
import { aCategoryTree, aProduct, aSeller, funded, period } from './market.testing.ts';
import { termSearchOf } from './search-terms.ts';

const getApi = useTestApi();
const iso = (d: Date) => d.toISOString();
type Api = ReturnType<typeof getApi>;
interface Hit {
  id: string;
  rank: number;
}

/** Every page of a search, `limit` at a time, followed by its cursor. */
async function allPages(api: Api, query: string, limit: number): Promise<Hit[]> {
  const hits: Hit[] = [];
  let cursor: string | null = null;
  do {
    const res = await api.rest(
      'GET',
      `/api/market/products?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    hits.push(...res.body.data.results.map((r: Hit) => ({ id: r.id, rank: r.rank })));
    cursor = res.body.data.next_cursor;
  } while (cursor);
  return hits;
}

/** What ranking every active match answers (the general search's definition), straight from product. */
async function rankedInFull(api: Api, word: string, categoryId?: number): Promise<Hit[]> {
  const rows: { id: string; rank: number }[] = await api.deps.orm.em.getConnection().execute(
    `select id, ts_rank(search_vector, websearch_to_tsquery('simple', ?)) as rank from product
      where active and search_vector @@ websearch_to_tsquery('simple', ?) and (?::int is null or category_path @> array[?::int])
      order by 2 desc, id`,
    [word, word, categoryId ?? null, categoryId ?? null],
  );
  return rows.map((r) => ({ id: r.id, rank: Number(r.rank) }));
}

describe('market: one-word search (product_search_term)', () => {
  it('answers what ranking every match answers: order, ranks, ties by id, cursor pages, subtree', async () => {
    const api = getApi();
    const tree = await aCategoryTree(api);
    const seller = await aSeller(api);
    const word = `zw${Date.now().toString(36)}`;
    // Ranks 1, 2 and 3 occurrences of the word, several products on each (ties), in three categories.
    const categories = [tree.root, tree.cameras, tree.drones];
    for (let n = 0; n < 9; n++) {
      const times = 1 + (n % 3);
      await aProduct(api, seller.userId, categories[Math.floor(n / 3)]!, {
        title: `${word} kit ${n}`,
        description: Array.from({ length: times - 1 }, () => word).join(' ') || 'plain',
      });
    }
    // Another word only: not a match.
    await aProduct(api, seller.userId, tree.root, { title: `${word}x only` });

    const full = await rankedInFull(api, word);
    expect(full).toHaveLength(9);
    expect(new Set(full.map((h) => h.rank)).size).toBe(3);
    expect(await allPages(api, `q=${word}`, 2)).toEqual(full);
    expect(await allPages(api, `q=${word}&category=${tree.cameras.slug}`, 2)).toEqual(
      await rankedInFull(api, word, tree.cameras.id),
    );
    // A category with nothing under it: its rows by equality in the index, as for any category.
    const drones = await rankedInFull(api, word, tree.drones.id);
    expect(drones).toHaveLength(3);
    expect(await allPages(api, `q=${word}&category=${tree.drones.slug}`, 1)).toEqual(drones);
    // The general search (a price filter sends it there) answers the same.
    expect(await allPages(api, `q=${word}&min_price=0`, 4)).toEqual(full);
    // Every field of a result, not only id and rank: the one-word path's array rows make the
    // general path's answer (min_price takes the general path).
    const page = async (filter: string) =>
      (await api.rest('GET', `/api/market/products?q=${word}${filter}&limit=50`)).body.data.results;
    const oneWord = await page('');
    expect(oneWord).toHaveLength(9);
    expect(oneWord).toEqual(await page('&min_price=0'));
    // Upper case, quotes and spaces make the same one word.
    expect(await allPages(api, `q=${encodeURIComponent(` "${word.toUpperCase()}" `)}`, 50)).toEqual(full);
    // Two words are not one: the general search, both words required (ranked by both).
    const both = await allPages(api, `q=${encodeURIComponent(`${word} kit`)}`, 50);
    expect(both.map((h) => h.id).sort()).toEqual(full.map((h) => h.id).sort());
    expect(both).toEqual(await rankedInFull(api, `${word} kit`));

    // The stored ranks are ts_rank's own for every lexeme of these products.
    const [drift] = await api.deps.orm.em.getConnection().execute(
      `select count(*)::int as n from product_search_term t join product p on p.id = t.product_id
        where p.seller_id = ? and t.rank <> ts_rank(p.search_vector, websearch_to_tsquery('simple', t.lexeme))`,
      [seller.userId],
    );
    expect(drift).toEqual({ n: 0 });
    // A row per lexeme and category of the product's path (its own marked), and no other.
    const [rows] = await api.deps.orm.em.getConnection().execute(
      `select (select count(*)::int from product p, unnest(tsvector_to_array(p.search_vector)) l, unnest(p.category_path) c
                where p.seller_id = ?) as expected,
              (select count(*)::int from product_search_term t join product p on p.id = t.product_id
                where p.seller_id = ? and t.category_id = any(p.category_path)
                  and t.own = (t.category_id = p.category_id)) as found,
              (select count(*)::int from product_search_term t join product p on p.id = t.product_id
                where p.seller_id = ?) as stored`,
      [seller.userId, seller.userId, seller.userId],
    );
    expect(rows!.expected).toBeGreaterThan(full.length);
    expect(rows).toEqual({ expected: rows!.expected, found: rows!.expected, stored: rows!.expected });
  });

  it('every shape walks an index in rank order in its generic plan (no sort of the matches)', async () => {
    const api = getApi();
    const params = {
      lexeme: 'zz',
      category: 1,
      afterRank: 0,
      afterId: '00000000-0000-0000-0000-000000000000',
      from: new Date(),
      to: new Date(Date.now() + 86_400_000),
      limit: 21,
    };
    for (const category of [false, true]) {
      for (const cursor of [false, true]) {
        const query = termSearchOf({ category, cursor, available: true });
        // The plan a prepared statement settles on; on these few rows a sort would be cheapest, so
        // sorting is priced out: a plan that still sorts has no index that gives the order.
        const [plan] = await api.deps.orm.em.fork().transactional(async (tx) => {
          await tx.execute(`set local plan_cache_mode = force_generic_plan`);
          await tx.execute(`set local enable_sort = off`);
          await tx.execute(`set local enable_seqscan = off`);
          await tx.execute(`set local enable_bitmapscan = off`);
          const name = `term_plan_${Number(category)}${Number(cursor)}`;
          await tx.execute(`prepare ${name} as ${query.text}`);
          const values = valuesOf(query, params).map((v) =>
            v instanceof Date ? `'${v.toISOString()}'` : typeof v === 'string' ? `'${v}'` : String(v),
          );
          const rows = await tx.execute(`explain (format json) execute ${name}(${values.join(', ')})`);
          await tx.execute(`deallocate ${name}`);
          return rows;
        });
        const text = JSON.stringify(plan);
        expect(text, `category ${category}, cursor ${cursor}`).not.toContain('"Node Type":"Sort"');
        expect(text).toContain(category ? 'product_search_term_category_rank' : '"product_search_term_rank"');
      }
    }
  });

  it("follows the product's writes: text changed, deactivated and back, moved category", async () => {
    const api = getApi();
    const tree = await aCategoryTree(api);
    const other = await aCategoryTree(api);
    const seller = await aSeller(api);
    const word = `zv${Date.now().toString(36)}`;
    const product = await aProduct(api, seller.userId, tree.drones, { title: `${word} drone` });
    const ids = async (query = '') => (await allPages(api, `q=${word}${query}`, 20)).map((h) => h.id);
    const update = (
      data: Partial<Pick<Product, 'title' | 'description' | 'active'>> | { category: number },
    ) => api.deps.orm.em.fork().nativeUpdate(Product, { id: product.id }, data);

    expect(await ids(`&category=${tree.root.slug}`)).toEqual([product.id]);
    await update({ active: false });
    expect(await ids()).toEqual([]);
    await update({ active: true });
    expect(await ids()).toEqual([product.id]);
    await update({ title: 'Quadcopter', description: `now ${word} only here` });
    expect(await ids()).toEqual([product.id]);
    await update({ description: 'no longer' });
    expect(await ids()).toEqual([]);
    expect(await allPages(api, `q=quadcopter&category=${tree.drones.slug}`, 50)).toEqual([
      { id: product.id, rank: expect.any(Number) },
    ]);
    await update({ category: other.cameras.id });
    expect(await allPages(api, `q=quadcopter&category=${tree.root.slug}`, 50)).toEqual([]);
    expect((await allPages(api, `q=quadcopter&category=${other.root.slug}`, 50)).map((h) => h.id)).toEqual([
      product.id,
    ]);
  });

  it('available between: a product whose only item is reserved drops out, and is back once the order is cancelled', async () => {
    const api = getApi();
    const tree = await aCategoryTree(api);
    const seller = await aSeller(api);
    const [customer] = await funded(api, 1);
    const word = `zu${Date.now().toString(36)}`;
    const one = await aProduct(api, seller.userId, tree.drones, { title: `${word} one item` });
    const two = await aProduct(api, seller.userId, tree.drones, { title: `${word} ${word} two items` }, 2);
    const rent = period(0, 2);
    const available = async (p: { start: Date; end: Date }) =>
      (
        await allPages(
          api,
          `q=${word}&category=${tree.root.slug}&available_from=${iso(p.start)}&available_to=${iso(p.end)}`,
          1,
        )
      ).map((h) => h.id);
    expect(await available(rent)).toEqual([two.id, one.id]);

    const reserve = (productId: string, key: string) =>
      api.rest(
        'POST',
        '/api/market/checkout',
        { product_id: productId, start: iso(rent.start), end: iso(rent.end), idempotency_key: key },
        bearer(customer!.token),
      );
    const booked = await reserve(one.id, `${word}-1`);
    expect(booked.status).toBe(200);
    // Two items: one reserved leaves the other free.
    expect((await reserve(two.id, `${word}-2`)).status).toBe(200);
    expect(await available(rent)).toEqual([two.id]);
    // Overlapping by a day: still taken; touching (ending as it starts): free.
    expect(await available(period(1, 3))).toEqual([two.id]);
    expect(await available(period(-2, 0))).toEqual([two.id, one.id]);

    const cancelled = await api.rest(
      'POST',
      `/api/market/orders/${booked.body.data.id}/cancel`,
      {},
      bearer(customer!.token),
    );
    expect(cancelled.status).toBe(200);
    expect(await available(rent)).toEqual([two.id, one.id]);
  });
});
