import { createApiClient } from '@powerbank/api-client';
import { Coupon, CouponUsage, RentalOrder, Wallet, WalletTransaction } from '@powerbank/db';
import { expireMarketReservations } from '@powerbank/market';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, useTestApi } from '../../testing/auth-helpers.ts';
import type { CrowdMember } from '../../testing/crowd.ts';
import { aCategoryTree, aProduct, aSeller, funded, period } from './market.testing.ts';

const getApi = useTestApi();
const client = (token?: string) => createApiClient({ url: 'http://api.test', fetch: getApi().fetch, token });
const iso = (d: Date) => d.toISOString();
const WALLET = 100_000;
const em = () => getApi().deps.orm.em.fork();

let tree: Awaited<ReturnType<typeof aCategoryTree>>;
let seller: CrowdMember;
beforeAll(async () => {
  tree = await aCategoryTree(getApi());
  seller = await aSeller(getApi());
});

let codes = 0;
/** A discount coupon valid now, with a fresh code. */
async function aCoupon(extra: Partial<Coupon> = {}): Promise<Coupon> {
  codes += 1;
  const e = em();
  const coupon = e.create(Coupon, {
    code: `MKT${process.pid}X${codes}`,
    kind: 'percent_discount',
    value: 20,
    currency: 'USD',
    validFrom: new Date(Date.now() - 86_400_000),
    validTo: new Date(Date.now() + 86_400_000),
    ...extra,
  });
  await e.flush();
  return coupon;
}

const balance = async (userId: string) =>
  Number((await em().findOneOrFail(Wallet, { user: userId })).balance);
const charges = (userId: string) => em().count(WalletTransaction, { user: userId, type: 'order_payment' });
const usagesOf = (couponId: number) =>
  em().find(CouponUsage, { coupon: couponId }, { orderBy: { createdAt: 'asc' } });

/** A 45.00/day camera with `items` items (100.00 deposit each). */
const aCamera = (items = 1) => aProduct(getApi(), seller.userId, tree.cameras, {}, items);

const checkout = (token: string, productId: string, code: string, key: string, pay = true) =>
  getApi().rest(
    'POST',
    '/api/market/checkout',
    {
      product_id: productId,
      ...((p) => ({ start: iso(p.start), end: iso(p.end) }))(period(0, 2)),
      coupon_code: code,
      idempotency_key: `coupon-${key}`,
      ...(pay ? { payment_mode: 'wallet' } : {}),
    },
    bearer(token),
  );

describe('market orders with coupons', () => {
  it('the quote shows the discount and the checkout charges the same (REST and tRPC); the usage names the order', async () => {
    const api = getApi();
    const product = await aCamera();
    const coupon = await aCoupon({ value: 20 });
    const [customer] = await funded(api, 1, WALLET);
    const rent = period(0, 2);
    const q = await api.rest(
      'GET',
      `/api/market/quote?product_id=${product.id}&start=${iso(rent.start)}&end=${iso(rent.end)}&coupon_code=${coupon.code.toLowerCase()}`,
    );
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    // 2 days × 4500 = 9000, 20% off = 1800.
    expect(q.body.data).toMatchObject({ rent: 9000, discount: 1800, charge: 7200, deposit: 10_000 });
    expect(q.body.data.lines).toContainEqual({
      kind: 'coupon_discount',
      label: `Coupon ${coupon.code}`,
      amount: -1800,
    });

    const order = await client(customer!.token).market.orders.checkout.mutate({
      product_id: product.id,
      start: rent.start,
      end: rent.end,
      payment_mode: 'wallet',
      coupon_code: coupon.code,
      idempotency_key: 'coupon-trpc-1',
    });
    expect(order).toMatchObject({ status: 'confirmed', total_amount: 7200, invoice: { amount_paid: 7200 } });
    expect(order.invoice?.lines).toEqual(q.body.data.lines);
    expect(await balance(customer!.userId)).toBe(WALLET - 7200);
    const usages = await usagesOf(coupon.id);
    expect(usages.map((u) => [u.rentalOrder?.id, Number(u.discountAmount)])).toEqual([[order.id, 1800]]);
    expect((await em().findOneOrFail(Coupon, coupon.id)).usedCount).toBe(1);
  });

  it('a fixed coupon larger than the rent takes off the rent and no more: nothing to pay but the held deposit', async () => {
    const api = getApi();
    const product = await aCamera();
    const coupon = await aCoupon({ kind: 'amount_discount', value: 50_000 });
    const [customer] = await funded(api, 1, WALLET);
    const res = await checkout(customer!.token, product.id, coupon.code, 'fixed-1');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'confirmed', total_amount: 0, held_amount: 10_000 });
    expect(await balance(customer!.userId)).toBe(WALLET);
    expect(Number((await usagesOf(coupon.id))[0]?.discountAmount)).toBe(9000);
  });

  it('bad coupons are refused with nothing written: unknown, expired, points, other currency, used up', async () => {
    const api = getApi();
    const product = await aCamera();
    const [customer] = await funded(api, 1, WALLET);
    const expired = await aCoupon({
      validTo: new Date(Date.now() - 1000),
      validFrom: new Date(Date.now() - 86_400_000),
    });
    const points = await aCoupon({ kind: 'points', value: 40 });
    const euros = await aCoupon({ kind: 'amount_discount', value: 100, currency: 'EUR' });
    const cases: [string, number, string | undefined][] = [
      ['NO-SUCH-CODE', 404, undefined],
      [expired.code, 422, 'coupon_expired'],
      [points.code, 422, 'not_a_discount'],
      [euros.code, 422, 'coupon_currency'],
    ];
    for (const [code, status, reason] of cases) {
      const res = await checkout(customer!.token, product.id, code, `bad-${code}`);
      expect(res.status, code).toBe(status);
      if (reason) expect(res.body.error.details.reason).toBe(reason);
    }
    expect(await em().count(RentalOrder, { customer: customer!.userId })).toBe(0);
    expect(await balance(customer!.userId)).toBe(WALLET);
  });

  it('a coupon capped at 5, 20 users at once on 20 items: exactly 5 discounted orders, the rest refused, no money moved for them', async () => {
    const api = getApi();
    const product = await aCamera(20);
    const coupon = await aCoupon({ globalLimit: 5 });
    const crowd = await funded(api, 20, WALLET);
    const answers = await Promise.all(
      crowd.map((c, i) => checkout(c.token, product.id, coupon.code, `cap-${i}`)),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(5);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.map((a) => [a.status, a.body.error.details.reason])).toEqual(
      Array(15).fill([422, 'coupon_exhausted']),
    );
    expect((await em().findOneOrFail(Coupon, coupon.id)).usedCount).toBe(5);
    expect(await usagesOf(coupon.id)).toHaveLength(5);
    const balances = await Promise.all(crowd.map((c) => balance(c.userId)));
    expect(balances.filter((b) => b === WALLET - 7200)).toHaveLength(5);
    expect(balances.filter((b) => b === WALLET)).toHaveLength(15);
  });

  it('once per user: 10 checkouts of one user at once with the coupon → one order, one charge', async () => {
    const api = getApi();
    const product = await aCamera(10);
    const coupon = await aCoupon({ perUserLimit: 1 });
    const [customer] = await funded(api, 1, WALLET);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => checkout(customer!.token, product.id, coupon.code, `once-${i}`)),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(
      answers.filter((a) => a.status === 409 && a.body.error.details.reason === 'already_used'),
    ).toHaveLength(9);
    expect(await charges(customer!.userId)).toBe(1);
    expect(await em().count(RentalOrder, { customer: customer!.userId })).toBe(1);
  });

  it('an applied coupon waits for the order; a reservation expiring unpaid gives it back for the next one', async () => {
    const api = getApi();
    const product = await aCamera(2);
    const coupon = await aCoupon({ perUserLimit: 1, globalLimit: 10 });
    const [customer] = await funded(api, 1, WALLET);
    const applied = await api.rest(
      'POST',
      '/api/promotions/apply-coupon',
      { code: coupon.code },
      bearer(customer!.token),
    );
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    const reserved = await checkout(customer!.token, product.id, coupon.code, 'wait-1', false);
    expect(reserved.status, JSON.stringify(reserved.body)).toBe(200);
    // The applied usage was taken, not a second one.
    expect((await usagesOf(coupon.id)).map((u) => u.rentalOrder?.id)).toEqual([reserved.body.data.id]);
    expect((await em().findOneOrFail(Coupon, coupon.id)).usedCount).toBe(1);

    await em().nativeUpdate(
      RentalOrder,
      { id: reserved.body.data.id },
      { reservedUntil: new Date(Date.now() - 1000) },
    );
    expect(await expireMarketReservations(api.deps.orm.em)).toBeGreaterThanOrEqual(1);
    expect((await usagesOf(coupon.id)).map((u) => u.rentalOrder?.id ?? null)).toEqual([null]);

    const again = await checkout(customer!.token, product.id, coupon.code, 'wait-2');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.data.total_amount).toBe(7200);
    expect((await usagesOf(coupon.id)).map((u) => u.rentalOrder?.id)).toEqual([again.body.data.id]);
    expect((await em().findOneOrFail(Coupon, coupon.id)).usedCount).toBe(1);
    expect(await charges(customer!.userId)).toBe(1);
  });
});
