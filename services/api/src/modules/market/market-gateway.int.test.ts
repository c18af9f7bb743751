import { createApiClient } from '@powerbank/api-client';
import { PaymentIntent, RentalOrder, UserAuditLog, Wallet, WalletTransaction } from '@powerbank/db';
import { expireMarketReservations } from '@powerbank/market';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, useTestApi } from '../../testing/auth-helpers.ts';
import type { CrowdMember } from '../../testing/crowd.ts';
import { sandboxOf } from '../payment/payment.testing.ts';
import { aCategoryTree, aProduct, aSeller, funded, period } from './market.testing.ts';

// The sandbox's own webhooks are an hour away: the tests deliver them, duplicated, by hand.
const getApi = useTestApi({ env: { SANDBOX_WEBHOOK_DELAY_MS: '3600000' } });
const client = (token?: string) => createApiClient({ url: 'http://api.test', fetch: getApi().fetch, token });
const iso = (d: Date) => d.toISOString();
const em = () => getApi().deps.orm.em.fork();

let tree: Awaited<ReturnType<typeof aCategoryTree>>;
let seller: CrowdMember;
beforeAll(async () => {
  tree = await aCategoryTree(getApi());
  seller = await aSeller(getApi());
});
afterAll(() => sandboxOf(getApi()).close());

async function wallet(userId: string) {
  const w = await em().findOneOrFail(Wallet, { user: userId });
  return { balance: Number(w.balance), held: Number(w.held) };
}
const charges = (userId: string) => em().count(WalletTransaction, { user: userId, type: 'order_payment' });

/** A customer with an empty wallet and a reserved (unpaid) order of a one-item camera: 9000 due, 10000 deposit. */
async function reserved(key: string) {
  const api = getApi();
  const product = await aProduct(api, seller.userId, tree.cameras);
  const [customer] = await funded(api, 1, 0);
  const rent = period(0, 2);
  const res = await api.rest(
    'POST',
    '/api/market/checkout',
    { product_id: product.id, start: iso(rent.start), end: iso(rent.end), idempotency_key: `gw-${key}` },
    bearer(customer!.token),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { product, customer: customer!, order: res.body.data as { id: string; status: string } };
}

/** The sandbox approves the payment and its signed webhook is delivered `copies` times at once. */
async function approveAndDeliver(intentId: string, copies: number) {
  const api = getApi();
  const intent = await em().findOneOrFail(PaymentIntent, { id: intentId });
  const sandbox = sandboxOf(api);
  sandbox.approve(intent.gatewayIntentId ?? '');
  const event = sandbox.signedEvent(
    sandbox.eventFor(intent.gatewayIntentId ?? '', 'payment.succeeded', 'succeeded'),
  );
  return Promise.all(
    Array.from({ length: copies }, () =>
      api
        .fetch('http://api.test/api/payment/webhook/sandbox', {
          method: 'POST',
          body: event.body,
          headers: event.headers,
        })
        .then((r) => r.status),
    ),
  );
}

describe('market orders paid by a gateway top-up', () => {
  it('intent for due + deposit; approved, webhooks ×5 and verify at once → paid once, deposit held (REST and tRPC)', async () => {
    const api = getApi();
    const { customer, order } = await reserved('pay-1');
    const res = await api.rest(
      'POST',
      `/api/market/orders/${order.id}/pay-by-gateway`,
      { payment_method: 'sandbox_card', idempotency_key: 'card-key-1' },
      bearer(customer.token),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'created', amount: { amount: 19_000 }, credited: false });
    // The same key again, through tRPC: the same intent.
    const again = await client(customer.token).market.orders.payByGateway.mutate({
      id: order.id,
      payment_method: 'sandbox_card',
      idempotency_key: 'card-key-1',
    });
    expect(again.intent_id).toBe(res.body.data.intent_id);

    const [statuses, verified] = await Promise.all([
      approveAndDeliver(res.body.data.intent_id, 5),
      api.rest(
        'POST',
        '/api/payment/verify-topup',
        { intent_id: res.body.data.intent_id },
        bearer(customer.token),
      ),
    ]);
    expect(statuses).toEqual(Array(5).fill(200));
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    const paid = await client(customer.token).market.orders.get.query({ id: order.id });
    expect(paid).toMatchObject({
      status: 'confirmed',
      held_amount: 10_000,
      invoice: { status: 'paid', amount_paid: 9000 },
    });
    expect(await charges(customer.userId)).toBe(1);
    // Credited 19000, paid 9000 from it, 10000 held.
    expect(await wallet(customer.userId)).toEqual({ balance: 10_000, held: 10_000 });
    expect(await em().count(WalletTransaction, { user: customer.userId, type: 'topup' })).toBe(1);
  });

  it('a reservation expiring before the webhook: items free, the order not charged, the money kept in the wallet', async () => {
    const api = getApi();
    const { product, customer, order } = await reserved('late-1');
    const intent = await client(customer.token).market.orders.payByGateway.mutate({
      id: order.id,
      payment_method: 'sandbox_card',
    });
    await em().nativeUpdate(RentalOrder, { id: order.id }, { reservedUntil: new Date(Date.now() - 1000) });
    expect(await expireMarketReservations(api.deps.orm.em)).toBeGreaterThanOrEqual(1);

    expect(await approveAndDeliver(intent.intent_id, 2)).toEqual([200, 200]);
    const after = await client(customer.token).market.orders.get.query({ id: order.id });
    expect(after).toMatchObject({
      status: 'expired',
      held_amount: 0,
      invoice: { status: 'void', amount_paid: 0 },
    });
    expect(await charges(customer.userId)).toBe(0);
    expect(await wallet(customer.userId)).toEqual({ balance: 19_000, held: 0 });
    expect(
      await em().count(UserAuditLog, { user: customer.userId, eventType: 'order.payment_kept_in_wallet' }),
    ).toBe(1);
    // The item is free again for someone else.
    const [next] = await funded(api, 1, 100_000);
    const rent = period(0, 2);
    const taken = await api.rest(
      'POST',
      '/api/market/checkout',
      {
        product_id: product.id,
        start: iso(rent.start),
        end: iso(rent.end),
        payment_mode: 'wallet',
        idempotency_key: 'gw-late-next',
      },
      bearer(next!.token),
    );
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
  });

  it('the OpenAPI document lists the route with its body', async () => {
    const doc = (await getApi().rest('GET', '/api/openapi.json')).body as {
      paths: Record<string, Record<string, { tags?: string[]; requestBody?: unknown }>>;
    };
    // Paths are relative to the document's server (`/api`).
    const operation = doc.paths['/market/orders/{id}/pay-by-gateway']?.post;
    expect(operation?.tags).toEqual(['market']);
    expect(JSON.stringify(operation?.requestBody)).toContain('payment_method');
  });

  it("someone else's order is 404; a paid or expired one 422; an unknown method 404 — no intent made", async () => {
    const api = getApi();
    const { customer, order } = await reserved('bad-1');
    const [other] = await funded(api, 1, 0);
    const pay = (token: string, body: Record<string, unknown> = {}) =>
      api.rest(
        'POST',
        `/api/market/orders/${order.id}/pay-by-gateway`,
        { payment_method: 'sandbox_card', ...body },
        bearer(token),
      );
    expect((await pay(other!.token)).status).toBe(404);
    expect((await pay(customer.token, { payment_method: 'no_such_method' })).status).toBe(404);
    expect((await pay(customer.token, { amount: 1 })).status).toBe(400);
    await em().nativeUpdate(RentalOrder, { id: order.id }, { reservedUntil: new Date(Date.now() - 1000) });
    expect((await pay(customer.token)).status).toBe(422);
    expect(await em().count(PaymentIntent, { user: customer.userId })).toBe(0);
  });
});
