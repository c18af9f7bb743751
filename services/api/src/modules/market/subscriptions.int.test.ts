import { randomUUID } from 'node:crypto';
import { createApiClient } from '@powerbank/api-client';
import { Notification, SubscriptionPlan, UserSubscription, WalletTransaction } from '@powerbank/db';
import { renewDueSubscriptions, renewSubscription } from '@powerbank/market';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, setAppConfig, useTestApi } from '../../testing/auth-helpers.ts';
import type { CrowdMember } from '../../testing/crowd.ts';
import { aCategoryTree, aProduct, aSeller, funded, period } from './market.testing.ts';

const getApi = useTestApi();
const client = (token?: string) => createApiClient({ url: 'http://api.test', fetch: getApi().fetch, token });
const em = () => getApi().deps.orm.em.fork();
const MINUTE = 60_000;

let tree: Awaited<ReturnType<typeof aCategoryTree>>;
let plan: SubscriptionPlan;
let seller: CrowdMember;
beforeAll(async () => {
  const api = getApi();
  tree = await aCategoryTree(api);
  seller = await aSeller(api);
  await setAppConfig(api, { market_subscription_renewal_attempts: 2, market_subscription_retry_minutes: 60 });
  const e = em();
  // 20% off everything under "cameras" (drones included), 29.99 per 30 days.
  plan = e.create(SubscriptionPlan, {
    name: `Creator Pro ${randomUUID().slice(0, 8)}`,
    discountPct: 20,
    durationDays: 30,
    price: 2999,
    includedProducts: [tree.cameras.slug],
  });
  await e.flush();
});

const charges = (userId: string) => em().count(WalletTransaction, { user: userId, type: 'subscription' });
const notices = (userId: string, type: string) => em().count(Notification, { user: userId, type });
const subscription = (id: string) => em().findOneOrFail(UserSubscription, { id });

async function subscribed(wallet = 100_000) {
  const [customer] = (await funded(getApi(), 1, wallet)) as [CrowdMember];
  const sub = await client(customer.token).market.subscriptions.subscribe.mutate({
    plan_id: plan.id,
    payment_mode: 'wallet',
    idempotency_key: `sub-${customer.userId}`,
  });
  return { customer, sub };
}

describe('subscriptions: plans, subscribe, discount', () => {
  it('lists the plans; subscribing charges the first period; the same request five times at once is one subscription and one charge', async () => {
    const api = getApi();
    const plans = await api.rest('GET', '/api/market/subscription-plans');
    expect(plans.status).toBe(200);
    expect(plans.body.data.results).toContainEqual(
      expect.objectContaining({
        id: plan.id,
        discount_pct: 20,
        price: 2999,
        included_products: [tree.cameras.slug],
      }),
    );
    const [customer] = (await funded(api, 1, 10_000)) as [CrowdMember];
    const body = { plan_id: plan.id, payment_mode: 'wallet', idempotency_key: 'subscribe-once-1' };
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map(() => api.rest('POST', '/api/market/subscriptions', body, bearer(customer.token))),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.data.id)).size).toBe(1);
    const sub = results[0]?.body.data;
    expect(sub).toMatchObject({
      status: 'active',
      period: 1,
      cancel_at_period_end: false,
      payment_mode: 'wallet',
    });
    expect(new Date(sub.ends_at).getTime() - new Date(sub.starts_at).getTime()).toBe(30 * 1440 * MINUTE);
    expect(await charges(customer.userId)).toBe(1);
    // Another key while the plan is live: one live subscription per plan.
    const second = await api.rest(
      'POST',
      '/api/market/subscriptions',
      { ...body, idempotency_key: 'subscribe-once-2' },
      bearer(customer.token),
    );
    expect(second.status).toBe(409);
    expect(await charges(customer.userId)).toBe(1);
    expect((await client(customer.token).market.subscriptions.list.query({})).results).toHaveLength(1);
  });

  it('a wallet too short for the first period: 402, no subscription; an unknown plan 404; split is not a mode', async () => {
    const api = getApi();
    const [poor] = (await funded(api, 1, 100)) as [CrowdMember];
    const res = await api.rest(
      'POST',
      '/api/market/subscriptions',
      { plan_id: plan.id, payment_mode: 'wallet', idempotency_key: 'subscribe-poor' },
      bearer(poor.token),
    );
    expect(res.status).toBe(402);
    expect(await em().count(UserSubscription, { user: poor.userId })).toBe(0);
    const unknown = await api.rest(
      'POST',
      '/api/market/subscriptions',
      { plan_id: 999_999, payment_mode: 'wallet', idempotency_key: 'subscribe-none' },
      bearer(poor.token),
    );
    expect(unknown.status).toBe(404);
    const split = await api.rest(
      'POST',
      '/api/market/subscriptions',
      { plan_id: plan.id, payment_mode: 'split', idempotency_key: 'subscribe-split' },
      bearer(poor.token),
    );
    expect(split.status).toBe(400);
  });

  it("the plan's discount applies to its products (a subcategory's too) in the quote and the checkout, not to others", async () => {
    const api = getApi();
    const { customer } = await subscribed();
    const drone = await aProduct(api, seller.userId, tree.drones);
    const other = await aProduct(api, seller.userId, tree.root);
    const rent = period(0, 2);
    const quote = (productId: string, token?: string) =>
      api.rest(
        'GET',
        `/api/market/quote?product_id=${productId}&start=${rent.start.toISOString()}&end=${rent.end.toISOString()}`,
        undefined,
        token ? bearer(token) : {},
      );
    const mine = (await quote(drone.id, customer.token)).body.data;
    expect(mine).toMatchObject({ rent: 9000, discount: 1800, charge: 7200 });
    expect(mine.lines).toContainEqual(
      expect.objectContaining({ kind: 'subscription_discount', amount: -1800 }),
    );
    expect((await quote(drone.id)).body.data).toMatchObject({ discount: 0, charge: 9000 });
    expect((await quote(other.id, customer.token)).body.data).toMatchObject({ discount: 0, charge: 9000 });

    const order = await client(customer.token).market.orders.checkout.mutate({
      product_id: drone.id,
      start: rent.start,
      end: rent.end,
      payment_mode: 'wallet',
      idempotency_key: 'checkout-with-plan',
    });
    expect(order).toMatchObject({ status: 'confirmed', total_amount: 7200 });
    expect(order.invoice?.lines).toEqual(mine.lines);
  });
});

describe('renewal (the worker job)', () => {
  it('a renewal run twice for one period, at once and again later, charges once and moves the period', async () => {
    const { customer, sub } = await subscribed();
    const due = new Date(sub.ends_at.getTime() + 1000);
    const outcomes = await Promise.all([
      renewDueSubscriptions(em(), due),
      renewDueSubscriptions(em(), due),
      renewSubscription(em(), sub.id, due),
      renewSubscription(em(), sub.id, due),
    ]);
    await renewDueSubscriptions(em(), due);
    expect(await charges(customer.userId)).toBe(2); // the first period and one renewal
    // (The sweeps also renew the other tests' subscriptions due by then: count this one's by its rows.)
    expect(outcomes.slice(2).filter((o) => o === 'renewed').length).toBeLessThanOrEqual(1);
    const row = await subscription(sub.id);
    expect(row).toMatchObject({ status: 'active', period: 2, renewalAttempts: 0 });
    expect(row.startsAt.getTime()).toBe(sub.ends_at.getTime());
    expect(row.endsAt.getTime()).toBe(sub.ends_at.getTime() + 30 * 1440 * MINUTE);
    expect(await notices(customer.userId, 'market_subscription_renewed')).toBe(1);
  });

  it('a renewal the balance cannot pay is retried after the wait, then lapses and tells the customer; nothing is charged', async () => {
    const { customer, sub } = await subscribed(2999);
    const due = new Date(sub.ends_at.getTime() + 1000);
    expect(await renewSubscription(em(), sub.id, due)).toBe('retry');
    let row = await subscription(sub.id);
    expect(row).toMatchObject({ status: 'active', period: 1, renewalAttempts: 1 });
    expect(row.nextAttemptAt?.getTime()).toBe(due.getTime() + 60 * MINUTE);
    expect(await notices(customer.userId, 'market_subscription_renewal_failed')).toBe(1);
    // Not due again before the wait is over.
    expect(await renewSubscription(em(), sub.id, new Date(due.getTime() + 30 * MINUTE))).toBe('not_due');

    expect(await renewSubscription(em(), sub.id, new Date(due.getTime() + 61 * MINUTE))).toBe('lapsed');
    row = await subscription(sub.id);
    expect(row).toMatchObject({ status: 'expired', renewalAttempts: 2, nextAttemptAt: null });
    expect(await notices(customer.userId, 'market_subscription_lapsed')).toBe(1);
    expect(await charges(customer.userId)).toBe(1);
  });

  it('cancel at period end: the plan still applies until then, the job ends it without a charge', async () => {
    const api = getApi();
    const { customer, sub } = await subscribed();
    const cancelled = await api.rest(
      'POST',
      `/api/market/subscriptions/${sub.id}/cancel`,
      {},
      bearer(customer.token),
    );
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data).toMatchObject({ status: 'active', cancel_at_period_end: true });
    // Cancelling twice answers the same; another customer's is 404.
    expect((await client(customer.token).market.subscriptions.cancel.mutate({ id: sub.id })).status).toBe(
      'active',
    );
    const [stranger] = (await funded(api, 1)) as [CrowdMember];
    expect(
      (await api.rest('POST', `/api/market/subscriptions/${sub.id}/cancel`, {}, bearer(stranger.token)))
        .status,
    ).toBe(404);

    expect(await renewSubscription(em(), sub.id, new Date(sub.ends_at.getTime() + 1000))).toBe('cancelled');
    expect(await subscription(sub.id)).toMatchObject({ status: 'cancelled', period: 1 });
    expect(await charges(customer.userId)).toBe(1);
    expect(await notices(customer.userId, 'market_subscription_ended')).toBe(1);
  });
});
