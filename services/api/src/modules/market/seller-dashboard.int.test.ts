import { createApiClient } from '@powerbank/api-client';
import { RentalOrder, Schedule } from '@powerbank/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, setAppConfig, useTestApi } from '../../testing/auth-helpers.ts';
import { aCategoryTree, aSeller, funded } from './market.testing.ts';
import { aPaidOrder, completeOrder } from './payouts.testing.ts';

const getApi = useTestApi();
const client = (token?: string) => createApiClient({ url: 'http://api.test', fetch: getApi().fetch, token });
const em = () => getApi().deps.orm.em.fork();
const DAY = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);

let tree: Awaited<ReturnType<typeof aCategoryTree>>;
beforeAll(async () => {
  tree = await aCategoryTree(getApi());
  await setAppConfig(getApi(), { market_commission_bp: 1000, market_tax_rate_bp: 0 });
});

/** Sets an order's status and period as the handover flow would leave them (that flow is another module's). */
async function moveOrder(id: string, change: { status: RentalOrder['status']; start?: Date; end?: Date }) {
  await em().nativeUpdate(
    RentalOrder,
    { id },
    {
      status: change.status,
      ...(change.start ? { startTs: change.start } : {}),
      ...(change.end ? { endTs: change.end } : {}),
    },
  );
}

describe('seller dashboard', () => {
  it('pickups and returns by day (a schedule slot wins), orders by status, revenue by month, items out — mine only', async () => {
    const api = getApi();
    const seller = await aSeller(api);
    const now = Date.now();
    // A paid order to hand over, with its pickup slot scheduled on day +3.
    const pickup = await aPaidOrder(api, seller.userId, tree.cameras);
    const slot = new Date(Math.floor(now / DAY) * DAY + 3 * DAY + 10 * 3_600_000);
    const e = em();
    e.create(Schedule, {
      order: e.getReference(RentalOrder, pickup.orderId),
      type: 'pickup',
      scheduledFor: slot,
    });
    await e.flush();
    // One out with a customer, due back tomorrow; one overdue since yesterday.
    const out = await aPaidOrder(api, seller.userId, tree.cameras);
    const dueBack = new Date(now + DAY);
    await moveOrder(out.orderId, { status: 'active', start: new Date(now - DAY), end: dueBack });
    const late = await aPaidOrder(api, seller.userId, tree.cameras);
    const overdue = new Date(now - DAY);
    await moveOrder(late.orderId, { status: 'active', start: new Date(now - 3 * DAY), end: overdue });
    // Two completed: 90.00 each, 10% commission.
    for (let i = 0; i < 2; i++) {
      const done = await aPaidOrder(api, seller.userId, tree.cameras);
      await completeOrder(api, done.orderId);
    }
    // Another seller's order shows nowhere in mine.
    const other = await aSeller(api);
    const theirs = await aPaidOrder(api, other.userId, tree.cameras);
    await moveOrder(theirs.orderId, { status: 'active', start: new Date(now - DAY), end: dueBack });

    const handovers = await api.rest(
      'GET',
      '/api/market/seller/dashboard/handovers?days=7',
      undefined,
      bearer(seller.token),
    );
    expect(handovers.status).toBe(200);
    const days = handovers.body.data.days as {
      date: string;
      pickups: number;
      returns: number;
      handovers: { order_id: string; type: string; overdue: boolean; items: number }[];
    }[];
    expect(days.map((d) => [d.date, d.pickups, d.returns])).toEqual([
      [day(overdue), 0, 1],
      [day(dueBack), 0, 1],
      [day(slot), 1, 0],
    ]);
    expect(days[0]?.handovers[0]).toMatchObject({
      order_id: late.orderId,
      type: 'return',
      overdue: true,
      items: 1,
    });
    expect(days[2]?.handovers[0]).toMatchObject({ order_id: pickup.orderId, type: 'pickup', overdue: false });
    // A window of one day leaves the pickup (day +3) out.
    const short = await client(seller.token).market.dashboard.handovers.query({ days: 1 });
    expect(short.days.flatMap((d) => d.handovers.map((h) => h.order_id))).not.toContain(pickup.orderId);

    const statuses = await client(seller.token).market.dashboard.ordersByStatus.query({});
    expect(Object.fromEntries(statuses.results.map((r) => [r.status, r.count]))).toMatchObject({
      confirmed: 1,
      active: 2,
      completed: 2,
      cancelled: 0,
    });

    const revenue = await api.rest(
      'GET',
      '/api/market/seller/dashboard/revenue?months=3',
      undefined,
      bearer(seller.token),
    );
    expect(revenue.status).toBe(200);
    expect(revenue.body.data).toEqual({
      currency: 'USD',
      months: [
        {
          month: new Date().toISOString().slice(0, 7),
          orders: 2,
          gross: 18_000,
          commission: 1800,
          net: 16_200,
        },
      ],
    });

    const items = await client(seller.token).market.dashboard.itemsOut.query({});
    expect(items.results.map((r) => [r.order_id, r.overdue])).toEqual([
      [late.orderId, true],
      [out.orderId, false],
    ]);
    expect(items.results[1]).toMatchObject({
      item_id: out.product.itemIds[0],
      product_id: out.product.id,
      customer_id: out.customer.userId,
    });
  });

  it('refuses a non-seller (403) and bad query numbers (400)', async () => {
    const api = getApi();
    const [customer] = await funded(api, 1);
    expect(
      (await api.rest('GET', '/api/market/seller/dashboard/items-out', undefined, bearer(customer!.token)))
        .status,
    ).toBe(403);
    const seller = await aSeller(api);
    for (const q of ['days=0', 'days=61', 'days=1e1', 'days=-1']) {
      const res = await api.rest(
        'GET',
        `/api/market/seller/dashboard/handovers?${q}`,
        undefined,
        bearer(seller.token),
      );
      expect(res.status, q).toBe(400);
    }
  });

  it('every issue-21 path of this module is in the OpenAPI document under the market tag', async () => {
    const document = (await getApi().rest('GET', '/api/openapi.json')).body;
    const paths: [string, string][] = [
      ['get', '/market/subscription-plans'],
      ['get', '/market/subscriptions'],
      ['post', '/market/subscriptions'],
      ['post', '/market/subscriptions/{id}/cancel'],
      ['get', '/market/seller/balance'],
      ['get', '/market/seller/orders/{id}/share'],
      ['post', '/market/seller/payouts'],
      ['get', '/market/seller/payouts'],
      ['get', '/market/seller/payouts/{id}'],
      ['get', '/market/seller/dashboard/handovers'],
      ['get', '/market/seller/dashboard/orders-by-status'],
      ['get', '/market/seller/dashboard/revenue'],
      ['get', '/market/seller/dashboard/items-out'],
      ['get', '/market/admin/payouts'],
      ['post', '/market/admin/payouts/{id}/approve'],
      ['post', '/market/admin/payouts/{id}/reject'],
    ];
    for (const [method, path] of paths) {
      expect(document.paths[path]?.[method]?.tags, `${method} ${path}`).toEqual(['market']);
    }
  });
});
