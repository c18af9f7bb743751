import { PaymentIntent, PaymentMethod, PaymentWebhook } from '@powerbank/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp } from '../../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';
import { StripeGateway } from './gateways/stripe-gateway.ts';
import { moneyOf, sandboxOf, seedPaymentMethods, startTopup, waitFor } from './payment.testing.ts';

const STRIPE_WEBHOOK_SECRET = 'whsec_test_offline_secret';
/** Extra copies of each webhook the fast sandbox sends. */
const WEBHOOK_DUPLICATES = 2;

/** Webhook deliveries logged for a sandbox payment: every delivery leaves one row, duplicates included. */
async function webhooksLogged(api: TestApi, gatewayIntentId: string): Promise<number> {
  const [row] = await api.deps.orm.em
    .fork()
    .execute<{ n: number }[]>(
      `select count(*)::int as n from payment_webhook where payload->'data'->>'intent_id' = ?`,
      [gatewayIntentId],
    );
  return row?.n ?? 0;
}

describe('top-ups through gateways', () => {
  let api: TestApi;
  let manual: TestApi;
  let alice: SignedUp;

  beforeAll(async () => {
    // Sandbox webhooks arrive fast, twice each and newest first: the flow must not care.
    api = await createTestApi({
      env: {
        SANDBOX_WEBHOOK_DELAY_MS: '0',
        SANDBOX_WEBHOOK_DUPLICATES: String(WEBHOOK_DUPLICATES),
        SANDBOX_WEBHOOK_OUT_OF_ORDER: 'true',
      },
    });
    // A second api over the same rows whose sandbox never sends by itself: tests deliver by hand.
    manual = await createTestApi({
      databaseUrl: api.databaseUrl,
      env: {
        SANDBOX_WEBHOOK_DELAY_MS: '3600000',
        STRIPE_SECRET_KEY: 'sk_test_offline',
        STRIPE_WEBHOOK_SECRET,
      },
    });
    await seedPaymentMethods(api);
    alice = await signUp(api);
  });
  afterAll(async () => {
    sandboxOf(api).close();
    sandboxOf(manual).close();
    await manual.close();
    await api.close();
  });

  it('checkout approve → signed webhooks (duplicated, out of order) → credited once, +10% points', async () => {
    const before = await moneyOf(api, alice.userId);
    const { intentId, gatewayIntentId, data } = await startTopup(api, alice.token, 25_000);
    expect(data).toMatchObject({
      status: 'created',
      credited: false,
      amount: { amount: 25_000, formatted: '$250.00' },
    });
    expect(data.checkout_url).toMatch(/\/sandbox\/checkout\/sbx_pi_/);
    const path = new URL(data.checkout_url).pathname;
    const page = await api.fetch(`http://api.test${path}`);
    expect(await page.text()).toContain('Approve payment');
    expect((await api.fetch(`http://api.test${path}/approve`, { method: 'POST' })).status).toBe(200);

    const status = await waitFor(
      () => api.rest('GET', `/api/payment/status/${intentId}`, undefined, bearer(alice.token)),
      (res) => res.body.data?.credited === true,
    );
    expect(status.body.data).toMatchObject({ status: 'succeeded', credited: true });
    // Let every delivery land, then count: each is logged in the transaction that acts on it, so
    // once all are logged (processing and succeeded, each with its copies) none is still at work.
    await expect
      .poll(() => webhooksLogged(api, gatewayIntentId), { timeout: 5_000 })
      .toBe(2 * (1 + WEBHOOK_DUPLICATES));
    const after = await moneyOf(api, alice.userId);
    expect(after.wallet - before.wallet).toBe(25_000);
    expect(after.points - before.points).toBe(25);
    expect(after.topups - before.topups).toBe(1);
    expect(after.walletLedger).toBe(after.wallet);
    expect(after.pointsLedger).toBe(after.points);
    const logged = await api.deps.orm.em.fork().find(PaymentWebhook, { gateway: 'sandbox' });
    expect(logged.filter((w) => w.status === 'duplicate').length).toBeGreaterThanOrEqual(4);
  });

  it('a webhook replayed 10 times interleaved with 10 verify-topups credits once', async () => {
    const before = await moneyOf(manual, alice.userId);
    const { intentId, gatewayIntentId } = await startTopup(manual, alice.token, 5_000);
    const sandbox = sandboxOf(manual);
    sandbox.approve(gatewayIntentId); // its own webhooks are an hour away
    const event = sandbox.signedEvent(sandbox.eventFor(gatewayIntentId, 'payment.succeeded', 'succeeded'));
    const calls = Array.from({ length: 20 }, (_, i) =>
      i % 2
        ? manual.rest('POST', '/api/payment/verify-topup', { intent_id: intentId }, bearer(alice.token))
        : manual.fetch('http://api.test/api/payment/webhook/sandbox', {
            method: 'POST',
            body: event.body,
            headers: event.headers,
          }),
    );
    const answers = await Promise.all(calls);
    for (const answer of answers) expect(answer.status).toBe(200);
    const after = await moneyOf(manual, alice.userId);
    expect(after.wallet - before.wallet).toBe(5_000);
    expect(after.topups - before.topups).toBe(1);
    expect(after.walletLedger).toBe(after.wallet);
    const rows = await manual.deps.orm.em
      .fork()
      .find(PaymentWebhook, { gatewayEventId: { $like: `${JSON.parse(event.body).id}%` } });
    expect(rows.filter((r) => r.status === 'processed')).toHaveLength(1);
    expect(rows.filter((r) => r.status === 'duplicate')).toHaveLength(9);

    // Paid: cancel is refused, and changes nothing.
    const cancel = await manual.rest('POST', `/api/payment/cancel/${intentId}`, {}, bearer(alice.token));
    expect(cancel.status).toBe(422);
    expect((await manual.deps.orm.em.fork().findOneOrFail(PaymentIntent, { id: intentId })).status).toBe(
      'succeeded',
    );
  });

  it('bad signature, tampered amount, wrong currency: rejected, logged, nothing credited', async () => {
    const before = await moneyOf(manual, alice.userId);
    const { intentId, gatewayIntentId } = await startTopup(manual, alice.token, 1_000);
    const sandbox = sandboxOf(manual);
    const send = (body: string, headers: Record<string, string>) =>
      manual
        .fetch('http://api.test/api/payment/webhook/sandbox', { method: 'POST', body, headers })
        .then(async (r) => ({ status: r.status, body: await r.json() }));
    const good = sandbox.eventFor(gatewayIntentId, 'payment.succeeded', 'succeeded');

    const forged = sandbox.signedEvent(good, 'not-the-sandbox-secret-at-all');
    expect((await send(forged.body, forged.headers)).status).toBe(400);

    const signed = sandbox.signedEvent(good);
    const tampered = signed.body.replace('"amount":1000', '"amount":100000');
    expect(tampered).not.toBe(signed.body);
    expect((await send(tampered, signed.headers)).status).toBe(400);

    const euro = sandbox.signedEvent({
      ...good,
      id: `${good.id}eur`,
      data: { ...good.data, currency: 'EUR' },
    });
    expect((await send(euro.body, euro.headers)).body).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/currency/),
    });
    const cheap = sandbox.signedEvent({ ...good, id: `${good.id}cheap`, data: { ...good.data, amount: 1 } });
    expect((await send(cheap.body, cheap.headers)).body).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/amount/),
    });

    const em = manual.deps.orm.em.fork();
    const unverified = await em.find(PaymentWebhook, { signatureValid: false, status: 'rejected' });
    expect(unverified.length).toBeGreaterThanOrEqual(2);
    expect(await em.count(PaymentWebhook, { intent: intentId, status: 'rejected' })).toBe(2);
    const after = await moneyOf(manual, alice.userId);
    expect(after.wallet).toBe(before.wallet);
    expect((await em.findOneOrFail(PaymentIntent, { id: intentId })).creditedAt).toBeNull();

    // The real event was not blocked by the forgeries claiming its id.
    expect((await send(signed.body, signed.headers)).body).toMatchObject({ status: 'processed' });
    expect((await moneyOf(manual, alice.userId)).wallet - before.wallet).toBe(1_000);
  });

  it("a webhook's event id is the gateway's key: replayed for another user's intent or another amount, a duplicate that credits nothing", async () => {
    const bob = await signUp(manual);
    const sandbox = sandboxOf(manual);
    const send = (event: ReturnType<typeof sandbox.signedEvent>) =>
      manual
        .fetch('http://api.test/api/payment/webhook/sandbox', {
          method: 'POST',
          body: event.body,
          headers: event.headers,
        })
        .then(async (r) => (await r.json()) as { status: string });
    const mine = await startTopup(manual, alice.token, 1_000);
    const bobs = await startTopup(manual, bob.token, 1_000);
    const paid = sandbox.eventFor(mine.gatewayIntentId, 'payment.succeeded', 'succeeded');
    expect(await send(sandbox.signedEvent(paid))).toMatchObject({ status: 'processed' });
    const before = await moneyOf(manual, bob.userId);
    const forBob = sandbox.eventFor(bobs.gatewayIntentId, 'payment.succeeded', 'succeeded');
    for (const replay of [
      { ...forBob, id: paid.id },
      { ...forBob, id: paid.id, data: { ...forBob.data, amount: 2_000 } },
    ]) {
      expect(await send(sandbox.signedEvent(replay))).toMatchObject({ status: 'duplicate' });
    }
    expect(await moneyOf(manual, bob.userId)).toEqual(before);
    expect(
      (await manual.deps.orm.em.fork().findOneOrFail(PaymentIntent, { id: bobs.intentId })).creditedAt,
    ).toBeNull();
  });

  it('cancel before payment; verify of a declined payment credits nothing', async () => {
    const first = await startTopup(manual, alice.token, 2_000);
    const cancelled = await manual.rest(
      'POST',
      `/api/payment/cancel/${first.intentId}`,
      {},
      bearer(alice.token),
    );
    expect(cancelled.body.data).toMatchObject({ status: 'cancelled', credited: false });
    expect(sandboxOf(manual).approve(first.gatewayIntentId).status).toBe('cancelled');

    const second = await startTopup(manual, alice.token, 2_000);
    sandboxOf(manual).decline(second.gatewayIntentId);
    const verified = await manual.rest(
      'POST',
      '/api/payment/verify-topup',
      { intent_id: second.intentId },
      bearer(alice.token),
    );
    expect(verified.body.data).toMatchObject({ status: 'failed', credited: false });
  });

  it("top-up keys are the user's: another user's key starts that user's own intent; the key with another amount → 409", async () => {
    const bob = await signUp(manual);
    const intent = (user: SignedUp, amount: number) =>
      manual.rest(
        'POST',
        '/api/payment/wallet/topup-intent',
        { amount, payment_method: 'sandbox_card', idempotency_key: 'one-topup-key' },
        bearer(user.token),
      );
    const first = await intent(alice, 1_000);
    expect(first.status).toBe(200);
    expect((await intent(alice, 1_000)).body.data.intent_id).toBe(first.body.data.intent_id);
    const bobs = await intent(bob, 1_000);
    expect(bobs.status, JSON.stringify(bobs.body)).toBe(200);
    expect(bobs.body.data.intent_id).not.toBe(first.body.data.intent_id);
    const stored = await manual.deps.orm.em
      .fork()
      .findOneOrFail(PaymentIntent, { id: bobs.body.data.intent_id });
    expect(stored.user.id).toBe(bob.userId);
    const other = await intent(alice, 2_000);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('20 concurrent first attempts with one key by one user → one intent, the same answer to each; other users keep theirs', async () => {
    const [carol, dave] = await Promise.all([signUp(manual), signUp(manual)]);
    const intent = (user: SignedUp) =>
      manual.rest(
        'POST',
        '/api/payment/wallet/topup-intent',
        { amount: 1_500, payment_method: 'sandbox_card', idempotency_key: 'concurrent-topup-key' },
        bearer(user.token),
      );
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, () => intent(carol)),
      ...Array.from({ length: 5 }, () => intent(dave)),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(25).fill(200));
    const idsOf = (from: number, to: number) =>
      new Set(answers.slice(from, to).map((a) => a.body.data.intent_id));
    expect(idsOf(0, 20).size).toBe(1);
    expect(idsOf(20, 25).size).toBe(1);
    const em = manual.deps.orm.em.fork();
    expect(await em.count(PaymentIntent, { user: carol.userId })).toBe(1);
    expect(await em.count(PaymentIntent, { user: dave.userId })).toBe(1);
  });

  it('intents of other users are not found; expiry after the TTL', async () => {
    const bob = await signUp(manual);
    const { intentId } = await startTopup(manual, alice.token, 1_000);
    expect(
      (await manual.rest('GET', `/api/payment/status/${intentId}`, undefined, bearer(bob.token))).status,
    ).toBe(404);
    await manual.deps.orm.em
      .fork()
      .nativeUpdate(PaymentIntent, { id: intentId }, { expiresAt: new Date(Date.now() - 1000) });
    const status = await manual.rest(
      'GET',
      `/api/payment/status/${intentId}`,
      undefined,
      bearer(alice.token),
    );
    expect(status.body.data.status).toBe('expired');
  });

  it('Stripe: webhook verified with the SDK (offline test header), credited once; bad signature rejected', async () => {
    const before = await moneyOf(manual, alice.userId);
    const em = manual.deps.orm.em.fork();
    const method = await em.findOneOrFail(PaymentMethod, { code: 'stripe_card' });
    const intent = em.create(PaymentIntent, {
      user: alice.userId,
      paymentMethod: method,
      gateway: 'stripe',
      amount: 3_000,
      currency: 'USD',
      gatewayIntentId: 'pi_offline_test_1',
      expiresAt: new Date(Date.now() + 1_800_000),
    });
    await em.flush();
    const payload = JSON.stringify({
      id: 'evt_offline_1',
      object: 'event',
      type: 'payment_intent.succeeded',
      data: {
        object: {
          id: 'pi_offline_test_1',
          object: 'payment_intent',
          amount: 3_000,
          amount_received: 3_000,
          currency: 'usd',
          status: 'succeeded',
        },
      },
    });
    const post = (signature: string) =>
      manual.fetch('http://api.test/api/payment/webhook/stripe', {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      });
    expect((await post(StripeGateway.testHeader(payload, 'whsec_someone_else'))).status).toBe(400);
    expect((await post(StripeGateway.testHeader(payload, STRIPE_WEBHOOK_SECRET))).status).toBe(200);
    expect((await post(StripeGateway.testHeader(payload, STRIPE_WEBHOOK_SECRET))).status).toBe(200);
    const after = await moneyOf(manual, alice.userId);
    expect(after.wallet - before.wallet).toBe(3_000);
    expect((await em.fork().findOneOrFail(PaymentIntent, { id: intent.id })).creditedAt).not.toBeNull();
  });
});
