import { createApiClient } from '@powerbank/api-client';
import { Notification, RentalOrder, RentalOrderItem, Schedule, Wallet } from '@powerbank/db';
import { cancelMissedPickups, remindHandovers } from '@powerbank/market';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, useTestApi } from '../../testing/auth-helpers.ts';
import type { CrowdMember } from '../../testing/crowd.ts';
import { addStaff, aPaidOrder, movePeriod, qrToken } from './handover.testing.ts';
import { aCategoryTree, aProduct, aSeller, funded, period } from './market.testing.ts';

const getApi = useTestApi();
const client = (token?: string) => createApiClient({ url: 'http://api.test', fetch: getApi().fetch, token });
const HOUR = 3_600_000;

let tree: Awaited<ReturnType<typeof aCategoryTree>>;
beforeAll(async () => {
  tree = await aCategoryTree(getApi());
});

const SETTINGS = {
  hours: {
    '0': [540, 1080],
    '1': [540, 1080],
    '2': [540, 1080],
    '3': [540, 1080],
    '4': [540, 1080],
    '5': [540, 1080],
    '6': [540, 1080],
  },
  slot_minutes: 30,
  slot_capacity: 1,
  max_reschedules: 1,
  pickup_grace_minutes: 60,
  reminder_minutes: 60,
};

/** A fresh seller (capacity 1 per slot unless said) with `n` paid orders of distinct one-item products. */
async function sellerWithOrders(n: number, settings: Partial<typeof SETTINGS> = {}) {
  const api = getApi();
  const seller = await aSeller(api);
  const put = await api.rest(
    'PUT',
    '/api/market/seller/schedule-settings',
    { ...SETTINGS, ...settings },
    bearer(seller.token),
  );
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const orders = [];
  for (let i = 0; i < n; i++) {
    const product = await aProduct(api, seller.userId, tree.cameras);
    orders.push(await aPaidOrder(api, product.id));
  }
  return { seller, orders };
}
async function wallet(userId: string) {
  const w = await getApi().deps.orm.em.fork().findOneOrFail(Wallet, { user: userId });
  return { balance: Number(w.balance), held: Number(w.held) };
}
/** 10:00 UTC on the first day of the orders' period (period(0, 2)). */
const slotAt = (hour: number, minute = 0) =>
  new Date(period(0, 2).start.getTime() + hour * HOUR + minute * 60_000);
const propose = (customer: CrowdMember, orderId: string, type: 'pickup' | 'return', slot: Date) =>
  getApi().rest(
    'POST',
    `/api/market/orders/${orderId}/schedules`,
    { type, slot: slot.toISOString() },
    bearer(customer.token),
  );

describe('schedules', () => {
  it('a slot within the hours is proposed; off-boundary, closed hours and outside the period are refused', async () => {
    const { seller, orders } = await sellerWithOrders(1);
    const { customer, orderId } = orders[0]!;
    expect((await propose(customer, orderId, 'pickup', slotAt(10, 10))).status).toBe(400);
    expect((await propose(customer, orderId, 'pickup', slotAt(8))).status).toBe(400);
    expect((await propose(customer, orderId, 'return', slotAt(24 * 5 + 10))).status).toBe(400);
    const ok = await propose(customer, orderId, 'pickup', slotAt(10));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.data).toMatchObject({ type: 'pickup', status: 'proposed', reschedule_count: 0 });
    const listed = await client(seller.token).market.schedules.ofOrder.query({ id: orderId });
    expect(listed.results.map((s) => s.id)).toEqual([ok.body.data.id]);
    // Someone else's order: 404.
    const [stranger] = await funded(getApi(), 1);
    expect((await propose(stranger!, orderId, 'pickup', slotAt(11))).status).toBe(404);
  });

  it('settings, staff and proposals through both REST and the typed client', async () => {
    const api = getApi();
    const { seller, orders } = await sellerWithOrders(1, { slot_minutes: 60 });
    const s = client(seller.token);
    expect(await s.market.schedules.settings.query({})).toMatchObject({ slot_minutes: 60, slot_capacity: 1 });
    const rest = await api.rest(
      'GET',
      '/api/market/seller/schedule-settings',
      undefined,
      bearer(seller.token),
    );
    expect(rest.body.data).toMatchObject({ seller_id: seller.userId, slot_minutes: 60 });
    // A customer is not a seller: 403.
    const { customer, orderId } = orders[0]!;
    expect(
      (await api.rest('GET', '/api/market/seller/schedule-settings', undefined, bearer(customer.token)))
        .status,
    ).toBe(403);
    const [staff] = await funded(api, 1);
    const added = await api.rest(
      'POST',
      '/api/market/seller/staff',
      { user_id: staff!.userId },
      bearer(seller.token),
    );
    expect(added.status).toBe(200);
    const listed = await api.rest('GET', '/api/market/seller/staff', undefined, bearer(seller.token));
    expect(listed.body.data.results.map((r: { user_id: string }) => r.user_id)).toEqual([staff!.userId]);
    const booked = await client(customer.token).market.schedules.propose.mutate({
      id: orderId,
      type: 'return',
      slot: slotAt(24 + 15),
    });
    expect(booked).toMatchObject({ type: 'return', status: 'proposed' });
    const rows = await api.rest(
      'GET',
      `/api/market/orders/${orderId}/schedules`,
      undefined,
      bearer(customer.token),
    );
    expect(rows.body.data.results.map((r: { id: string }) => r.id)).toEqual([booked.id]);
  });

  it('two customers booking the last place of a slot at once: one gets it, the other a 409', async () => {
    const { orders } = await sellerWithOrders(2);
    const results = await Promise.all(
      orders.map((o) => propose(o.customer, o.orderId, 'pickup', slotAt(10))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)?.body.error.code).toBe('CONFLICT');
  });

  it('many customers for a slot of capacity 3: exactly three places; the same customer retrying holds one', async () => {
    const { seller, orders } = await sellerWithOrders(8, { slot_capacity: 3 });
    const same = orders[0]!;
    const results = await Promise.all([
      ...orders.map((o) => propose(o.customer, o.orderId, 'pickup', slotAt(11))),
      propose(same.customer, same.orderId, 'pickup', slotAt(11)),
      propose(same.customer, same.orderId, 'pickup', slotAt(11)),
    ]);
    const winners = new Set(results.filter((r) => r.status === 200).map((r) => r.body.data.order_id));
    expect(winners.size).toBe(3);
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const booked = await getApi()
      .deps.orm.em.fork()
      .count(Schedule, { order: { seller: seller.userId }, scheduledFor: slotAt(11) });
    expect(booked).toBe(3);
  });

  it('rescheduling within the limit; the seller confirms, moves and assigns staff', async () => {
    const api = getApi();
    const { seller, orders } = await sellerWithOrders(1);
    const { customer, orderId } = orders[0]!;
    const first = await propose(customer, orderId, 'pickup', slotAt(10));
    const moved = await propose(customer, orderId, 'pickup', slotAt(12));
    expect(moved.body.data).toMatchObject({ id: first.body.data.id, reschedule_count: 1 });
    const tooMany = await propose(customer, orderId, 'pickup', slotAt(13));
    expect(tooMany.status).toBe(422);

    const [staff] = await funded(api, 1);
    const s = client(seller.token);
    await expect(
      s.market.schedules.confirm.mutate({ id: first.body.data.id, assigned_to: staff!.userId }),
    ).rejects.toThrow(/staff/);
    expect((await s.market.schedules.addStaff.mutate({ user_id: staff!.userId })).results).toHaveLength(1);
    const confirmed = await s.market.schedules.confirm.mutate({
      id: first.body.data.id,
      slot: slotAt(14),
      assigned_to: staff!.userId,
    });
    expect(confirmed).toMatchObject({ status: 'confirmed', assigned_to: staff!.userId });
    expect(confirmed.scheduled_for.getTime()).toBe(slotAt(14).getTime());
    const upcoming = await s.market.schedules.upcoming.query({ from: slotAt(0), to: slotAt(24) });
    expect(upcoming.results.map((r) => r.id)).toEqual([first.body.data.id]);
    // The assigned staff member scans the pickup: actual_at is recorded.
    const token = await qrToken(api, customer.token, orderId, 'pickup');
    const scanned = await api.rest(
      'POST',
      `/api/market/orders/${orderId}/handover`,
      { token },
      bearer(staff!.token),
    );
    expect(scanned.status).toBe(200);
    const row = await api.deps.orm.em.fork().findOneOrFail(Schedule, { id: first.body.data.id });
    expect(row.actualAt).toBeInstanceOf(Date);
  });

  it('reminders go out once per slot within the lead time, to the customer and the assigned staff', async () => {
    const api = getApi();
    const { seller, orders } = await sellerWithOrders(1);
    const { customer, orderId } = orders[0]!;
    const booked = await propose(customer, orderId, 'pickup', slotAt(10));
    const [staff] = await funded(api, 1);
    await addStaff(api, seller.userId, staff!.userId);
    await client(seller.token).market.schedules.confirm.mutate({
      id: booked.body.data.id,
      assigned_to: staff!.userId,
    });
    const slot = slotAt(10);
    expect(await remindHandovers(api.deps.orm.em, new Date(slot.getTime() - 2 * HOUR))).toBe(0);
    const [a, b] = await Promise.all([
      remindHandovers(api.deps.orm.em, new Date(slot.getTime() - 30 * 60_000)),
      remindHandovers(api.deps.orm.em, new Date(slot.getTime() - 30 * 60_000)),
    ]);
    expect((a ?? 0) + (b ?? 0)).toBeGreaterThanOrEqual(1);
    await remindHandovers(api.deps.orm.em, new Date(slot.getTime() - 20 * 60_000));
    const em = api.deps.orm.em.fork();
    expect(await em.count(Notification, { user: customer.userId, type: 'market_handover_reminder' })).toBe(1);
    expect(await em.count(Notification, { user: staff!.userId, type: 'market_handover_reminder' })).toBe(1);
  });

  it('a pickup missed past the grace period cancels the order by the policy: deposit released, items free', async () => {
    const api = getApi();
    const { seller, orders } = await sellerWithOrders(2);
    const [missed, onTime] = orders as [(typeof orders)[0], (typeof orders)[0]];
    // Time passes: both periods started 2 hours ago; the grace is 60 minutes. One was picked up.
    for (const o of orders) await movePeriod(api, o.orderId, new Date(Date.now() + 46 * HOUR), 2);
    const token = await qrToken(api, onTime.customer.token, onTime.orderId, 'pickup');
    const scanned = await api.rest(
      'POST',
      `/api/market/orders/${onTime.orderId}/handover`,
      { token },
      bearer(seller.token),
    );
    expect(scanned.status).toBe(200);
    const before = await wallet(missed.customer.userId);
    expect(before.held).toBeGreaterThan(0);

    expect(await cancelMissedPickups(api.deps.orm.em)).toBeGreaterThanOrEqual(1);
    const em = api.deps.orm.em.fork();
    expect(await em.findOneOrFail(RentalOrder, { id: missed.orderId })).toMatchObject({
      status: 'cancelled',
      heldAmount: 0,
    });
    expect((await em.findOneOrFail(RentalOrder, { id: onTime.orderId })).status).toBe('active');
    expect(await wallet(missed.customer.userId)).toEqual({ balance: before.balance, held: 0 });
    expect(await em.count(RentalOrderItem, { order: missed.orderId, blocking: true })).toBe(0);
    expect(await em.count(Notification, { user: missed.customer.userId, type: 'market_pickup_missed' })).toBe(
      1,
    );
    // Running again changes nothing more.
    await cancelMissedPickups(api.deps.orm.em);
    expect(await em.count(Notification, { user: missed.customer.userId, type: 'market_pickup_missed' })).toBe(
      1,
    );
  });
});
