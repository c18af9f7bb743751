import { createApiClient } from '@powerbank/api-client';
import { Category, InventoryItem, Product, ProductAsset, UserAuditLog } from '@powerbank/db';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  signUp,
  signUpAdmin,
  TINY_PNG,
  testUploadDir,
  upload,
  useTestApi,
} from '../../testing/auth-helpers.ts';
import { signedAssetUrl } from './asset-urls.ts';
import { aCategoryTree, aProduct, aSeller, funded, period } from './market.testing.ts';

const getApi = useTestApi({ env: { UPLOAD_DIR: testUploadDir() } });
const client = (token?: string) => createApiClient({ url: 'http://api.test', fetch: getApi().fetch, token });
const iso = (d: Date) => d.toISOString();

describe('market: roles', () => {
  it('a user applies, is refused seller procedures until an admin approves, then lists a product (REST and tRPC)', async () => {
    const api = getApi();
    const user = await signUp(api);
    const admin = await signUpAdmin(api, 'operations');
    const { cameras } = await aCategoryTree(api);

    const before = await api.rest('GET', '/api/market/seller/products', undefined, bearer(user.token));
    expect(before.status).toBe(403);
    await expect(client(user.token).market.seller.products.query({})).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });

    const applied = await api.rest(
      'POST',
      '/api/market/seller/apply',
      { description: 'cameras' },
      bearer(user.token),
    );
    expect(applied.status).toBe(200);
    expect(applied.body.data).toMatchObject({ role: 'seller', approved: false });
    // Applying again answers the same application (tRPC).
    expect(
      await client(user.token).market.seller.applyAsSeller.mutate({ description: 'again' }),
    ).toMatchObject({
      approved: false,
    });

    // A non-admin cannot see or approve applications.
    expect(
      (await api.rest('GET', '/api/market/admin/seller-applications', undefined, bearer(user.token))).status,
    ).toBe(403);
    const queue = await api.rest(
      'GET',
      '/api/market/admin/seller-applications',
      undefined,
      bearer(admin.token),
    );
    expect(queue.body.data.results.map((r: { user_id: string }) => r.user_id)).toContain(user.userId);
    const approved = await api.rest(
      'POST',
      `/api/market/admin/seller-applications/${user.userId}/approve`,
      {},
      bearer(admin.token),
    );
    expect(approved.status).toBe(200);
    expect(approved.body.data.approved).toBe(true);
    expect((await client(admin.token).market.admin.sellerApplications.query({})).results).not.toContainEqual(
      expect.objectContaining({ user_id: user.userId }),
    );
    expect((await client(user.token).market.seller.roles.query({})).results).toMatchObject([
      { role: 'seller', approved: true },
    ]);

    const created = await api.rest(
      'POST',
      '/api/market/seller/products',
      { category_id: cameras.id, title: 'Drone', base_price: 6000, pricing_unit: 'day' },
      bearer(user.token),
    );
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({
      seller_id: user.userId,
      base_price: 6000,
      deposit: 0,
      active: true,
    });
  });
});

describe('market: catalogue', () => {
  let tree: Awaited<ReturnType<typeof aCategoryTree>>;
  beforeAll(async () => {
    tree = await aCategoryTree(getApi());
  });

  it('categories: the tree, a subtree and breadcrumbs (REST and tRPC)', async () => {
    const api = getApi();
    const all = await api.rest('GET', '/api/market/categories');
    expect(all.status).toBe(200);
    const slugs = all.body.data.results.map((c: { slug: string }) => c.slug);
    // Parents before children.
    expect(slugs.indexOf(tree.root.slug)).toBeLessThan(slugs.indexOf(tree.cameras.slug));
    expect(slugs.indexOf(tree.cameras.slug)).toBeLessThan(slugs.indexOf(tree.drones.slug));
    const detail = await client().market.catalogue.category.query({ slug: tree.cameras.slug });
    expect(detail.breadcrumbs.map((c) => c.slug)).toEqual([tree.root.slug, tree.cameras.slug]);
    expect(detail.subtree.map((c) => c.slug)).toEqual([tree.cameras.slug, tree.drones.slug]);
    expect((await api.rest('GET', '/api/market/categories/no-such')).status).toBe(404);
  });

  it("a seller editing or deleting another seller's product, or adding items to it → 404, nothing changed", async () => {
    const api = getApi();
    const [a, b] = [await aSeller(api), await aSeller(api)];
    const product = await aProduct(api, a.userId, tree.cameras);
    const patch = await api.rest(
      'PATCH',
      `/api/market/seller/products/${product.id}`,
      { title: 'Stolen' },
      bearer(b.token),
    );
    expect(patch.status).toBe(404);
    expect(
      (await api.rest('DELETE', `/api/market/seller/products/${product.id}`, undefined, bearer(b.token)))
        .status,
    ).toBe(404);
    await expect(
      client(b.token).market.seller.addItem.mutate({ product_id: product.id, sku: 'X-1' }),
    ).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await expect(client(b.token).market.seller.items.query({ id: product.id })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    expect((await client().market.catalogue.product.query({ id: product.id })).title).toBe(
      'Mirrorless camera kit',
    );
    // The owner may.
    const own = await client(a.token).market.seller.updateProduct.mutate({
      id: product.id,
      title: 'Camera kit v2',
    });
    expect(own.title).toBe('Camera kit v2');
  });

  it('products, items, assets and events: create, change, list, deactivate (REST and tRPC)', async () => {
    const api = getApi();
    const seller = await aSeller(api);
    const c = client(seller.token);
    const p = await c.market.seller.createProduct.mutate({
      category_id: tree.drones.id,
      title: 'Compact drone',
      description: 'Folding drone with 3 batteries',
      base_price: 6000,
      deposit: 20_000,
      pricing_unit: 'day',
      min_units: 1,
      max_units: 14,
    });
    const refused = await api.rest(
      'POST',
      '/api/market/seller/products',
      {
        category_id: tree.drones.id,
        title: 'Bad',
        base_price: 1,
        pricing_unit: 'day',
        min_units: 5,
        max_units: 2,
      },
      bearer(seller.token),
    );
    expect(refused.status).toBe(400);
    const item = await api.rest(
      'POST',
      '/api/market/seller/items',
      { product_id: p.id, sku: `DR-${p.id}` },
      bearer(seller.token),
    );
    expect(item.status).toBe(200);
    const duplicate = await api.rest(
      'POST',
      '/api/market/seller/items',
      { product_id: p.id, sku: `DR-${p.id}` },
      bearer(seller.token),
    );
    expect(duplicate.status).toBe(409);
    const changed = await c.market.seller.updateItem.mutate({ id: item.body.data.id, condition: 'like new' });
    expect(changed.condition).toBe('like new');
    expect(
      (await api.rest('GET', `/api/market/seller/products/${p.id}/items`, undefined, bearer(seller.token)))
        .body.data.results,
    ).toHaveLength(1);

    const media = (await upload(api, seller.token, { bytes: TINY_PNG, type: 'image/png' }, 'other')).body
      .data;
    const asset = await api.rest(
      'POST',
      '/api/market/seller/assets',
      { product_id: p.id, media_id: media.id, drm_protected: false },
      bearer(seller.token),
    );
    expect(asset.status).toBe(200);
    const detail = await api.rest('GET', `/api/market/products/${p.id}`);
    expect(detail.body.data).toMatchObject({ id: p.id, items_total: 1, deposit: 20_000 });
    expect(detail.body.data.assets).toHaveLength(1);

    expect((await c.market.seller.products.query({})).results.map((r) => r.id)).toEqual([p.id]);
    const events = await api.rest(
      'GET',
      `/api/market/seller/products/${p.id}/events`,
      undefined,
      bearer(seller.token),
    );
    expect(events.body.data.results.map((e: { event_type: string }) => e.event_type).sort()).toEqual(
      ['asset.added', 'item.created', 'item.updated', 'product.created'].sort(),
    );

    const gone = await api.rest(
      'DELETE',
      `/api/market/seller/products/${p.id}`,
      undefined,
      bearer(seller.token),
    );
    expect(gone.body.data.active).toBe(false);
    expect((await api.rest('GET', `/api/market/products/${p.id}`)).status).toBe(404);
    // Deactivation is logged too (the events log is the seed's events table: user_audit_log).
    const logged = await api.deps.orm.em
      .fork()
      .count(UserAuditLog, { product: p.id, eventType: 'product.deactivated' });
    expect(logged).toBe(1);
  });

  it('admins read the events log by product and by user (REST and tRPC); others may not', async () => {
    const api = getApi();
    const admin = await signUpAdmin(api, 'support');
    const seller = await aSeller(api);
    const created = await client(seller.token).market.seller.createProduct.mutate({
      category_id: tree.cameras.id,
      title: 'Logged lens',
      base_price: 1000,
      pricing_unit: 'day',
    });
    const byProduct = await api.rest(
      'GET',
      `/api/market/admin/events?product_id=${created.id}`,
      undefined,
      bearer(admin.token),
    );
    expect(byProduct.status).toBe(200);
    expect(byProduct.body.data.results).toMatchObject([
      { event_type: 'product.created', user_id: seller.userId },
    ]);
    const byUser = await client(admin.token).market.admin.events.query({ user_id: seller.userId });
    expect(byUser.results.map((e) => e.product_id)).toEqual([created.id]);
    expect((await api.rest('GET', '/api/market/admin/events', undefined, bearer(seller.token))).status).toBe(
      403,
    );
  });

  it('a DRM-protected asset is served only through a short-lived signed URL (REST and tRPC)', async () => {
    const api = getApi();
    const seller = await aSeller(api);
    const p = await aProduct(api, seller.userId, tree.cameras);
    const media = (await upload(api, seller.token, { bytes: TINY_PNG, type: 'image/png' }, 'other')).body
      .data;
    const added = await client(seller.token).market.seller.addAsset.mutate({
      product_id: p.id,
      media_id: media.id,
      drm_protected: true,
    });
    const em = api.deps.orm.em.fork();
    em.create(ProductAsset, {
      product: p.id,
      url: 'https://cdn.example/secret.glb',
      assetType: '3d',
      drmProtected: true,
    });
    await em.flush();
    const detail = await client().market.catalogue.product.query({ id: p.id });
    for (const asset of detail.assets) {
      expect(asset.url).toBe(`/api/market/assets/${asset.id}/url`);
    }
    const [viewer] = await funded(api, 1);
    expect((await api.rest('GET', `/api/market/assets/${added.id}/url`)).status).toBe(401);
    const signed = await api.rest(
      'GET',
      `/api/market/assets/${added.id}/url`,
      undefined,
      bearer(viewer!.token),
    );
    expect(signed.status).toBe(200);
    const file = await api.app.fetch(new Request(`http://api.test${signed.body.data.url}`));
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(TINY_PNG);
    const viaTrpc = await client(viewer!.token).market.catalogue.assetUrl.query({ id: added.id });
    expect(viaTrpc.expires_at.getTime()).toBeGreaterThan(Date.now());
    // Another asset's signature, a changed expiry, or an expired one: 403.
    const url = new URL(`http://api.test${signed.body.data.url}`);
    const tampered = `/api/market/assets/${added.id}/file?expires=${Number(url.searchParams.get('expires')) + 1}&sig=${url.searchParams.get('sig')}`;
    expect((await api.app.fetch(new Request(`http://api.test${tampered}`))).status).toBe(403);
    const expired = await signedAssetUrl(
      api.deps.orm.em.fork(),
      api.deps.env.APP_SECRET,
      added.id,
      Date.now() - 10 * 60_000,
    );
    expect((await api.app.fetch(new Request(`http://api.test${expired.url}`))).status).toBe(403);
  });
});

describe('market: search', () => {
  it("a product's category path (search's subtree filter) follows its category and a category moved", async () => {
    const api = getApi();
    const tree = await aCategoryTree(api);
    const other = await aCategoryTree(api);
    const seller = await aSeller(api);
    const product = await aProduct(api, seller.userId, tree.drones);
    const pathOf = async () =>
      (await api.deps.orm.em.fork().findOneOrFail(Product, product.id)).categoryPath?.map(Number);
    expect(await pathOf()).toEqual([tree.root.id, tree.cameras.id, tree.drones.id]);
    // The product moves to another category; then that category's parent moves: the path follows both.
    await api.deps.orm.em.fork().nativeUpdate(Product, { id: product.id }, { category: other.cameras.id });
    expect(await pathOf()).toEqual([other.root.id, other.cameras.id]);
    await api.deps.orm.em.fork().nativeUpdate(Category, { id: other.cameras.id }, { parent: tree.root.id });
    expect(await pathOf()).toEqual([tree.root.id, other.cameras.id]);
  });

  it('text (ranked), category subtree, price, seller, city, near a point, available between, cursor pages', async () => {
    const api = getApi();
    const tree = await aCategoryTree(api);
    const seller = await aSeller(api);
    const [customer] = await funded(api, 1);
    const word = `zq${Date.now().toString(36)}`;
    const drone = await aProduct(api, seller.userId, tree.drones, {
      title: `${word} drone`,
      description: `${word} ${word} folding`,
      basePrice: 6000,
      city: 'Kathmandu',
      latitude: 27.7172,
      longitude: 85.324,
    });
    const camera = await aProduct(api, seller.userId, tree.cameras, {
      title: `${word} camera`,
      basePrice: 4500,
      city: 'Pokhara',
      latitude: 28.2096,
      longitude: 83.9856,
    });
    const rent = period(0, 2);
    // The camera's only item is booked for the period.
    const booked = await api.rest(
      'POST',
      '/api/market/checkout',
      {
        product_id: camera.id,
        start: iso(rent.start),
        end: iso(rent.end),
        idempotency_key: `search-${word}`,
      },
      bearer(customer!.token),
    );
    expect(booked.status).toBe(200);

    const ids = async (query: string) => {
      const res = await api.rest('GET', `/api/market/products?q=${word}&${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data.results.map((r: { id: string }) => r.id);
    };
    // Ranked: the drone says the word three times.
    expect(await ids('')).toEqual([drone.id, camera.id]);
    // A product in a subcategory shows under its ancestors.
    expect(await ids(`category=${tree.root.slug}`)).toEqual([drone.id, camera.id]);
    expect(await ids(`category=${tree.drones.slug}`)).toEqual([drone.id]);
    expect(await ids('min_price=5000')).toEqual([drone.id]);
    expect(await ids('max_price=5000')).toEqual([camera.id]);
    expect(await ids(`seller_id=${seller.userId}&sort=price_asc`)).toEqual([camera.id, drone.id]);
    expect(await ids('sort=price_desc')).toEqual([drone.id, camera.id]);
    expect(await ids('sort=newest')).toEqual([camera.id, drone.id]);
    expect(await ids('sort=popularity&limit=1')).toHaveLength(1);
    expect(await ids('city=pokhara')).toEqual([camera.id]);
    expect(await ids('lat=27.7&lng=85.3&radius_m=20000')).toEqual([drone.id]);
    expect(await ids(`available_from=${iso(rent.start)}&available_to=${iso(rent.end)}`)).toEqual([drone.id]);
    // Touching the booked period (ending as it starts) is free.
    const before = period(-3, 0);
    expect(await ids(`available_from=${iso(before.start)}&available_to=${iso(before.end)}`)).toEqual([
      drone.id,
      camera.id,
    ]);
    // The booking cut the item's known-free window (triggers on the line) to the time before it,
    // so the period before is free without its lines being probed; the drone's item was never
    // booked (an unbounded window).
    const items = await api.deps.orm.em
      .fork()
      .find(
        InventoryItem,
        { product: { $in: [camera.id, drone.id] } },
        { fields: ['product', 'bookedUntil', 'nextBookedFrom'] },
      );
    const at = (d: Date | string | null | undefined) => (d ? iso(new Date(d)) : null);
    expect(
      Object.fromEntries(items.map((i) => [i.product.id, [at(i.bookedUntil), at(i.nextBookedFrom)]])),
    ).toEqual({ [camera.id]: [null, iso(rent.start)], [drone.id]: [null, null] });
    // After the booking: outside the window, so its lines decide (free: it ends as this starts).
    const after = period(2, 4);
    expect(await ids(`available_from=${iso(after.start)}&available_to=${iso(after.end)}`)).toEqual([
      drone.id,
      camera.id,
    ]);

    // Cursor pages over tRPC: one result each, nothing repeated or skipped.
    const first = await client().market.catalogue.search.query({ q: word, limit: 1, sort: 'price_asc' });
    expect(first.results.map((r) => r.id)).toEqual([camera.id]);
    const second = await client().market.catalogue.search.query({
      q: word,
      limit: 1,
      sort: 'price_asc',
      cursor: first.next_cursor ?? undefined,
    });
    expect(second.results.map((r) => r.id)).toEqual([drone.id]);
    expect(second.next_cursor).toBeNull();
    expect((await api.rest('GET', '/api/market/products?cursor=garbage')).status).toBe(400);
    expect((await api.rest('GET', `/api/market/products?available_from=${iso(rent.start)}`)).status).toBe(
      400,
    );
  });
});
