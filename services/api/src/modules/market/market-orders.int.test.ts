import { createApiClient } from '@powerbank/api-client';
import { RentalOrder, Transaction, Wallet, WalletTransaction } from '@powerbank/db';
import { expireMarketReservations } from '@powerbank/market';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, setAppConfig, useTestApi } from '../../testing/auth-helpers.ts';
import type { CrowdMember } from '../../testing/crowd.ts';
import { aCategoryTree, aProduct, aSeller, funded, period } from './market.testing.ts';

const getApi = useTestApi();
const client = (token?: string) => createApiClient({ url: 'http://api.test', fetch: getApi().fetch, token });
const iso = (d: Date) => d.toISOString();
const WALLET = 100_000;

let tree: Awaited<ReturnType<typeof aCategoryTree>>;
let seller: CrowdMember;
beforeAll(async () => {
  const api = getApi();
  tree = await aCategoryTree(api);
  seller = await aSeller(api);
  await setAppConfig(api, { market_tax_rate_bp: 1000 });
});

async function wallet(userId: string) {
  const w = await getApi().deps.orm.em.fork().findOneOrFail(Wallet, { user: userId });
  return { balance: Number(w.balance), held: Number(w.held) };
}
const charges = (userId: string) =>
  getApi().deps.orm.em.fork().count(WalletTransaction, { user: userId, type: 'order_payment' });

/** A fresh one-item camera (45.00/day, 100.00 deposit) and a funded customer. */
async function fresh() {
  const product = await aProduct(getApi(), seller.userId, tree.cameras);
  const [customer] = await funded(getApi(), 1, WALLET);
  return { product, customer: customer! };
}

const checkoutBody = (productId: string, p: { start: Date; end: Date }, key: string, pay = true) => ({
  product_id: productId,
  start: iso(p.start),
  end: iso(p.end),
  idempotency_key: `checkout-${key}`,
  ...(pay ? { payment_mode: 'wallet' } : {}),
});

describe('market orders: quote, checkout, pay', () => {
  it('the quote and the checkout price alike; paying debits the charge and holds the deposit (REST)', async () => {
    const api = getApi();
    const { product, customer } = await fresh();
    const rent = period(0, 2);
    const q = await api.rest(
      'GET',
      `/api/market/quote?product_id=${product.id}&start=${iso(rent.start)}&end=${iso(rent.end)}`,
    );
    expect(q.status).toBe(200);
    // 2 days × 4500 = 9000, tax 10% = 900, deposit 10000 held.
    expect(q.body.data).toMatchObject({
      units: 2,
      rent: 9000,
      tax: 900,
      charge: 9900,
      deposit: 10_000,
      total: 19_900,
      available: true,
    });

    const res = await api.rest(
      'POST',
      '/api/market/checkout',
      checkoutBody(product.id, rent, 'quote-1'),
      bearer(customer.token),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({
      status: 'confirmed',
      total_amount: q.body.data.charge,
      deposit_amount: 10_000,
      held_amount: 10_000,
      item_ids: product.itemIds,
      reserved_until: null,
      invoice: { amount_due: 9900, amount_paid: 9900, status: 'paid', lines: q.body.data.lines },
    });
    expect(await wallet(customer.userId)).toEqual({ balance: WALLET - 9900, held: 10_000 });
    const payment = await api.deps.orm.em
      .fork()
      .findOneOrFail(Transaction, { rentalOrder: res.body.data.id });
    expect(Number(payment.amount)).toBe(9900);
    // The seller sees it; no one else does.
    expect((await client(seller.token).market.orders.get.query({ id: res.body.data.id })).customer_id).toBe(
      customer.userId,
    );
    const [stranger] = await funded(api, 1);
    expect(
      (await api.rest('GET', `/api/market/orders/${res.body.data.id}`, undefined, bearer(stranger!.token)))
        .status,
    ).toBe(404);
    const q2 = await client().market.catalogue.quote.query({
      product_id: product.id,
      start: rent.start,
      end: rent.end,
    });
    expect(q2.available).toBe(false);
  });

  it('reserve now, pay later (tRPC); paying again charges nothing more', async () => {
    const { product, customer } = await fresh();
    const c = client(customer.token);
    const rent = period(0, 1);
    const reserved = await c.market.orders.checkout.mutate({
      product_id: product.id,
      start: rent.start,
      end: rent.end,
      idempotency_key: 'checkout-later-1',
    });
    expect(reserved).toMatchObject({ status: 'reserved', held_amount: 0, invoice: { status: 'issued' } });
    expect(reserved.reserved_until).toBeInstanceOf(Date);
    expect(await wallet(customer.userId)).toEqual({ balance: WALLET, held: 0 });
    const paid = await c.market.orders.pay.mutate({ id: reserved.id, payment_mode: 'wallet' });
    expect(paid).toMatchObject({ status: 'confirmed', held_amount: 10_000 });
    const again = await c.market.orders.pay.mutate({ id: reserved.id, payment_mode: 'wallet' });
    expect(again.status).toBe('confirmed');
    expect(await charges(customer.userId)).toBe(1);
    expect(await wallet(customer.userId)).toEqual({ balance: WALLET - 4950, held: 10_000 });
    expect((await c.market.orders.list.query({})).results.map((o) => o.id)).toEqual([reserved.id]);
    expect(
      (await client(seller.token).market.orders.list.query({ role: 'seller' })).results.map((o) => o.id),
    ).toContain(reserved.id);
  });

  it('touching periods (one ends as the next starts) are both allowed; an overlap is a 409 with no money moved', async () => {
    const api = getApi();
    const { product, customer } = await fresh();
    const [other] = await funded(api, 1, WALLET);
    const first = await api.rest(
      'POST',
      '/api/market/checkout',
      checkoutBody(product.id, period(0, 2), 'touch-a'),
      bearer(customer.token),
    );
    const second = await api.rest(
      'POST',
      '/api/market/checkout',
      checkoutBody(product.id, period(2, 4), 'touch-b'),
      bearer(other!.token),
    );
    expect([first.status, second.status]).toEqual([200, 200]);
    const overlap = await api.rest(
      'POST',
      '/api/market/checkout',
      checkoutBody(product.id, period(1, 3), 'touch-c'),
      bearer(other!.token),
    );
    expect(overlap.status).toBe(409);
    expect(overlap.body.error.code).toBe('CONFLICT');
    expect(await wallet(other!.userId)).toEqual({ balance: WALLET - 9900, held: 10_000 });
  });

  it('bad input changes nothing: past or empty periods, too short, unknown product, own product, no funds', async () => {
    const api = getApi();
    const { product, customer } = await fresh();
    const post = (body: unknown, token = customer.token) =>
      api.rest('POST', '/api/market/checkout', body, bearer(token));
    const rent = period(0, 1);
    expect((await post({ ...checkoutBody(product.id, rent, 'bad-1'), end: iso(rent.start) })).status).toBe(
      400,
    );
    expect(
      (
        await post(
          checkoutBody(product.id, { start: new Date(Date.now() - 86_400_000), end: rent.end }, 'bad-2'),
        )
      ).status,
    ).toBe(400);
    expect((await post(checkoutBody('0190a7e6-0000-7000-8000-000000000000', rent, 'bad-3'))).status).toBe(
      404,
    );
    expect((await post(checkoutBody(product.id, rent, 'bad-4'), seller.token)).status).toBe(422);
    const [poor] = await funded(api, 1, 100);
    const broke = await post(checkoutBody(product.id, rent, 'bad-5'), poor!.token);
    expect(broke.status).toBe(402);
    expect(await wallet(poor!.userId)).toEqual({ balance: 100, held: 0 });
    expect(await api.deps.orm.em.fork().count(RentalOrder, { customer: poor!.userId })).toBe(0);
    // The item is still free: the refused checkout left no reservation behind.
    expect((await post(checkoutBody(product.id, rent, 'bad-6'))).status).toBe(200);
  });
});

describe('market orders: idempotency, expiry, cancellation', () => {
  it('the same checkout retried with its key — in sequence and 20 at once — is one order and one charge', async () => {
    const api = getApi();
    const { product, customer } = await fresh();
    const body = checkoutBody(product.id, period(0, 2), 'retry-key-1');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.rest('POST', '/api/market/checkout', body, bearer(customer.token)),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
    const later = await api.rest('POST', '/api/market/checkout', body, bearer(customer.token));
    expect(later.body.data.id).toBe(answers[0]?.body.data.id);
    expect(await charges(customer.userId)).toBe(1);
    expect(await wallet(customer.userId)).toEqual({ balance: WALLET - 9900, held: 10_000 });
    const reused = await api.rest(
      'POST',
      '/api/market/checkout',
      { ...body, end: iso(period(0, 3).end) },
      bearer(customer.token),
    );
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a reservation left unpaid past its expiry: the job frees the items, nothing is charged, paying is refused', async () => {
    const api = getApi();
    const { product, customer } = await fresh();
    const rent = period(0, 2);
    const reserved = await client(customer.token).market.orders.checkout.mutate({
      product_id: product.id,
      start: rent.start,
      end: rent.end,
      idempotency_key: 'checkout-expire-1',
    });
    // Not yet due: the job leaves it alone.
    await expireMarketReservations(api.deps.orm.em);
    expect((await client(customer.token).market.orders.get.query({ id: reserved.id })).status).toBe(
      'reserved',
    );
    await api.deps.orm.em
      .fork()
      .nativeUpdate(RentalOrder, { id: reserved.id }, { reservedUntil: new Date(Date.now() - 1000) });
    const late = await api.rest(
      'POST',
      `/api/market/orders/${reserved.id}/pay`,
      { payment_mode: 'wallet' },
      bearer(customer.token),
    );
    expect(late.status).toBe(422);
    expect(await expireMarketReservations(api.deps.orm.em)).toBeGreaterThanOrEqual(1);
    const expired = await client(customer.token).market.orders.get.query({ id: reserved.id });
    expect(expired).toMatchObject({ status: 'expired', invoice: { status: 'void', amount_paid: 0 } });
    expect(await wallet(customer.userId)).toEqual({ balance: WALLET, held: 0 });
    expect(await charges(customer.userId)).toBe(0);
    const [next] = await funded(api, 1, WALLET);
    const again = await api.rest(
      'POST',
      '/api/market/checkout',
      checkoutBody(product.id, rent, 'expire-2'),
      bearer(next!.token),
    );
    expect(again.status).toBe(200);
  });

  it('cancel: reserved → free; paid long before the start → full refund and the deposit released (REST and tRPC)', async () => {
    const api = getApi();
    const { product, customer } = await fresh();
    const reserved = await api.rest(
      'POST',
      '/api/market/checkout',
      checkoutBody(product.id, period(0, 1), 'cancel-1', false),
      bearer(customer.token),
    );
    const cancelled = await api.rest(
      'POST',
      `/api/market/orders/${reserved.body.data.id}/cancel`,
      {},
      bearer(customer.token),
    );
    expect(cancelled.body.data).toMatchObject({ status: 'cancelled', refunded: 0 });
    const paid = await api.rest(
      'POST',
      '/api/market/checkout',
      checkoutBody(product.id, period(0, 2), 'cancel-2'),
      bearer(customer.token),
    );
    expect(paid.status).toBe(200);
    const back = await client(customer.token).market.orders.cancel.mutate({ id: paid.body.data.id });
    expect(back).toMatchObject({ status: 'cancelled', refunded: 9900, held_amount: 0 });
    expect(await wallet(customer.userId)).toEqual({ balance: WALLET, held: 0 });
    // Cancelled twice: refused, nothing more given back.
    expect(
      (await api.rest('POST', `/api/market/orders/${paid.body.data.id}/cancel`, {}, bearer(customer.token)))
        .status,
    ).toBe(422);
    expect(await wallet(customer.userId)).toEqual({ balance: WALLET, held: 0 });
  });

  it('cancel inside the partial window gives back the configured share', async () => {
    const api = getApi();
    await setAppConfig(api, {
      market_cancel_full_refund_hours: 100_000,
      market_cancel_partial_refund_hours: 0,
    });
    try {
      const { product, customer } = await fresh();
      const paid = await api.rest(
        'POST',
        '/api/market/checkout',
        checkoutBody(product.id, period(0, 2), 'partial-1'),
        bearer(customer.token),
      );
      const back = await client(customer.token).market.orders.cancel.mutate({ id: paid.body.data.id });
      expect(back.refunded).toBe(4950);
      expect(await wallet(customer.userId)).toEqual({ balance: WALLET - 4950, held: 0 });
    } finally {
      await setAppConfig(api, {
        market_cancel_full_refund_hours: 48,
        market_cancel_partial_refund_hours: 24,
      });
    }
  });
});
