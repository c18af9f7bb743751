import { createApiClient } from '@powerbank/api-client';
import { AdminActionLog, Refund, RentalPackage } from '@powerbank/db';
import { holdWallet, ledger, payFromBalances, releaseHold } from '@powerbank/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, signUpAdmin } from '../../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';
import { moneyOf, sandboxOf, seedPaymentMethods, startTopup, waitFor } from './payment.testing.ts';

describe('payment options, listings and refunds', () => {
  let api: TestApi;
  let alice: SignedUp;
  let finance: SignedUp;
  let support: SignedUp;
  let topupTransactionId: string;

  beforeAll(async () => {
    api = await createTestApi({ env: { SANDBOX_WEBHOOK_DELAY_MS: '0' } });
    await seedPaymentMethods(api);
    const em = api.deps.orm.em.fork();
    em.create(RentalPackage, {
      code: 'H1',
      name: '1 hour',
      durationMinutes: 60,
      price: 1_000,
      perMinuteRate: 20,
    });
    await em.flush();
    [alice, finance, support] = await Promise.all([
      signUp(api),
      signUpAdmin(api, 'finance'),
      signUpAdmin(api, 'support'),
    ]);
    const { intentId, gatewayIntentId } = await startTopup(api, alice.token, 500);
    sandboxOf(api).approve(gatewayIntentId);
    const paid = await waitFor(
      () => api.rest('GET', `/api/payment/status/${intentId}`, undefined, bearer(alice.token)),
      (res) => res.body.data?.credited === true,
    );
    topupTransactionId = paid.body.data.transaction_id;
  });
  afterAll(async () => {
    sandboxOf(api).close();
    await api.close();
  });

  it('calculate-options: each mode marked sufficient or not, from the same split the payment uses', async () => {
    const { points } = await moneyOf(api, alice.userId); // signup bonus (+ no top-up points for 5.00)
    const pkg = await api.deps.orm.em.fork().findOneOrFail(RentalPackage, { code: 'H1' });
    const res = await api.rest(
      'POST',
      '/api/payment/calculate-options',
      { package_id: pkg.id },
      bearer(alice.token),
    );
    expect(res.status).toBe(200);
    const byMode = Object.fromEntries(res.body.data.options.map((o: { mode: string }) => [o.mode, o]));
    expect(res.body.data.amount).toEqual({ amount: 1_000, currency: 'USD', formatted: '$10.00' });
    expect(byMode.wallet).toMatchObject({ sufficient: false, shortfall: { wallet: { amount: 500 } } });
    expect(byMode.points).toMatchObject({ points: 100, sufficient: points >= 100 });
    const mixedPoints = Math.min(points, 100);
    expect(byMode.wallet_points).toMatchObject({
      points: mixedPoints,
      wallet_amount: { amount: 1_000 - mixedPoints * 10 },
      sufficient: 1_000 - mixedPoints * 10 <= 500,
    });
    // What was shown sufficient is what a payment honours.
    const em = api.deps.orm.em.fork();
    const attempt = payFromBalances(em, {
      userId: alice.userId,
      amount: 1_000,
      type: 'rental',
      mode: 'wallet_points',
      reference: { type: 'rental', id: 'calc-check' },
      idempotencyKey: `calc-check-${alice.userId}`,
    });
    if (byMode.wallet_points.sufficient) await expect(attempt).resolves.toBeTruthy();
    else await expect(attempt).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });

    const both = await api.rest(
      'POST',
      '/api/payment/calculate-options',
      { package_id: pkg.id, amount: 5 },
      bearer(alice.token),
    );
    expect(both.status).toBe(400);
    expect((await api.rest('POST', '/api/payment/calculate-options', { amount: 5 })).status).toBe(401);
  });

  it('every payment path is in the OpenAPI document, the raw-body webhook too', async () => {
    const doc = await api.rest('GET', '/api/openapi.json');
    for (const path of [
      '/payment/calculate-options',
      '/payment/wallet/topup-intent',
      '/payment/verify-topup',
      '/payment/status/{intent_id}',
      '/payment/cancel/{intent_id}',
      '/payment/refund/{transaction_id}',
      '/payment/refunds',
      '/payment/packages',
      '/payment/methods',
      '/payment/webhook/{gateway}',
      '/user/wallet',
      '/user/transactions',
      '/points/history',
      '/points/summary',
    ]) {
      expect(doc.body.paths, path).toHaveProperty([path]);
    }
  });

  it('wallet, transactions with cursor and filters, points history and summary', async () => {
    const em = api.deps.orm.em.fork();
    for (let i = 0; i < 5; i++) {
      await ledger.creditWallet(em, {
        userId: alice.userId,
        amount: 100 + i,
        type: 'bonus',
        idempotencyKey: `list-${alice.userId}-${i}`,
      });
    }
    const wallet = await api.rest('GET', '/api/user/wallet', undefined, bearer(alice.token));
    const money = await moneyOf(api, alice.userId);
    expect(wallet.body.data.wallet.balance.amount).toBe(money.wallet);
    expect(wallet.body.data.points.balance).toBe(money.points);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/user/transactions?type=bonus&page_size=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api.rest('GET', query, undefined, bearer(alice.token));
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      seen.push(...page.body.data.results.map((r: { id: string }) => r.id));
      expect(page.body.data.pagination.total_count).toBe(5);
      cursor = page.body.data.pagination.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const credits = await api.rest(
      'GET',
      '/api/user/transactions?direction=debit',
      undefined,
      bearer(alice.token),
    );
    expect(credits.body.data.results.every((r: { amount: { amount: number } }) => r.amount.amount < 0)).toBe(
      true,
    );

    const history = await api.rest('GET', '/api/points/history', undefined, bearer(alice.token));
    expect(history.status).toBe(200);
    const summary = await api.rest('GET', '/api/points/summary', undefined, bearer(alice.token));
    expect(summary.body.data).toMatchObject({ balance: money.points, points_per_currency_unit: 10 });

    // Money set aside is shown held, and neither the wallet nor a quote counts it as spendable.
    await holdWallet(em, {
      userId: alice.userId,
      amount: 7,
      idempotencyKey: `list-hold-${alice.userId}`,
      reference: { type: 'rental', id: 'list-hold' },
    });
    const held = await api.rest('GET', '/api/user/wallet', undefined, bearer(alice.token));
    expect(held.body.data.wallet).toMatchObject({
      balance: { amount: money.wallet },
      held: { amount: 7 },
      available: { amount: money.wallet - 7 },
    });
    const quote = await api.rest(
      'POST',
      '/api/payment/calculate-options',
      { amount: 1 },
      bearer(alice.token),
    );
    expect(quote.body.data.balances.wallet.amount).toBe(money.wallet - 7);
    await releaseHold(em, {
      userId: alice.userId,
      amount: 7,
      idempotencyKey: `list-release-${alice.userId}`,
      reference: { type: 'rental', id: 'list-hold' },
    });

    const methods = await api.rest('GET', '/api/payment/methods', undefined, bearer(alice.token));
    expect(methods.body.data.results.map((m: { code: string }) => m.code)).toEqual(['sandbox_card']); // no Stripe keys here
    const packages = await api.rest('GET', '/api/payment/packages', undefined, bearer(alice.token));
    expect(packages.body.data.results[0]).toMatchObject({ code: 'H1', price: { formatted: '$10.00' } });
  });

  it('refund of a top-up: requested, approved by finance (wallet debited, gateway refunded), logged', async () => {
    const over = await api.rest(
      'POST',
      `/api/payment/refund/${topupTransactionId}`,
      { reason: 'changed my mind', amount: 501 },
      bearer(alice.token),
    );
    expect(over.status).toBe(422);
    const asked = await api.rest(
      'POST',
      `/api/payment/refund/${topupTransactionId}`,
      { reason: 'changed my mind', amount: 300 },
      bearer(alice.token),
    );
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body.data).toMatchObject({
      status: 'requested',
      destination: 'gateway',
      amount: { amount: 300 },
    });
    const list = await api.rest('GET', '/api/payment/refunds', undefined, bearer(alice.token));
    expect(list.body.data.pagination.total_count).toBe(1);

    const asSupport = createApiClient({ url: 'http://api.test', fetch: api.fetch, token: support.token });
    await expect(
      asSupport.payment.approveRefund.mutate({ refund_id: asked.body.data.id }),
    ).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    const before = await moneyOf(api, alice.userId);
    const asFinance = createApiClient({ url: 'http://api.test', fetch: api.fetch, token: finance.token });
    const done = await asFinance.payment.approveRefund.mutate({ refund_id: asked.body.data.id, note: 'ok' });
    expect(done).toMatchObject({ status: 'processed' });
    const after = await moneyOf(api, alice.userId);
    expect(before.wallet - after.wallet).toBe(300);
    expect(after.walletLedger).toBe(after.wallet);
    const em = api.deps.orm.em.fork();
    expect((await em.findOneOrFail(Refund, { id: asked.body.data.id })).gatewayRefundId).toMatch(/^sbx_re_/);
    expect(await em.count(AdminActionLog, { targetType: 'refund', targetId: asked.body.data.id })).toBe(1);
    await expect(
      asFinance.payment.approveRefund.mutate({ refund_id: asked.body.data.id }),
    ).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });

    const again = await api.rest(
      'POST',
      `/api/payment/refund/${topupTransactionId}`,
      { reason: 'the rest please' },
      bearer(alice.token),
    );
    expect(again.body.data.amount.amount).toBe(200);
    const rejected = await asFinance.payment.rejectRefund.mutate({
      refund_id: again.body.data.id,
      note: 'no',
    });
    expect(rejected.status).toBe('rejected');
  });

  it("refund keys are the user's and the payment's: another payment's or user's request is its own; 10 concurrent retries → one refund", async () => {
    const bob = await signUp(api);
    const em = api.deps.orm.em.fork();
    const paid = async (user: SignedUp) => {
      await ledger.creditWallet(em, {
        userId: user.userId,
        amount: 1_000,
        type: 'bonus',
        idempotencyKey: `rk-seed-${crypto.randomUUID()}`,
      });
      const payment = await payFromBalances(em, {
        userId: user.userId,
        amount: 1_000,
        type: 'rental',
        mode: 'wallet',
        reference: { type: 'rental', id: crypto.randomUUID() },
        idempotencyKey: `rk-pay-${crypto.randomUUID()}`,
      });
      return payment.transactionId;
    };
    const [t1, t2, t3] = [await paid(alice), await paid(alice), await paid(bob)];
    const ask = (user: SignedUp, transactionId: string, amount = 100) =>
      api.rest(
        'POST',
        `/api/payment/refund/${transactionId}`,
        { reason: 'power bank was empty', amount, idempotency_key: 'one-refund-key' },
        bearer(user.token),
      );
    const retries = await Promise.all(Array.from({ length: 10 }, () => ask(alice, t1)));
    expect(retries.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(retries.map((r) => r.body.data.id)).size).toBe(1);
    expect(await em.fork().count(Refund, { transaction: t1 })).toBe(1);
    const onAnother = await ask(alice, t2);
    expect(onAnother.status, JSON.stringify(onAnother.body)).toBe(200);
    expect(onAnother.body.data.transaction_id).toBe(t2);
    const bobs = await ask(bob, t3);
    expect(bobs.status, JSON.stringify(bobs.body)).toBe(200);
    expect(bobs.body.data.transaction_id).toBe(t3);
    const otherAmount = await ask(alice, t1, 200);
    expect(otherAmount.status).toBe(409);
    expect(otherAmount.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await em.fork().count(Refund, { transaction: { $in: [t1, t2, t3] } })).toBe(3);
  });

  it('refund of a wallet + points payment goes back the way it came', async () => {
    const em = api.deps.orm.em.fork();
    await ledger.creditWallet(em, {
      userId: alice.userId,
      amount: 2_000,
      type: 'bonus',
      idempotencyKey: `rf-seed-${alice.userId}`,
    });
    await ledger.creditPoints(em, {
      userId: alice.userId,
      amount: 40,
      type: 'adjustment',
      idempotencyKey: `rf-seed-p-${alice.userId}`,
    });
    const paid = await payFromBalances(em, {
      userId: alice.userId,
      amount: 1_000,
      type: 'rental',
      mode: 'split',
      split: { walletAmount: 600, points: 40 },
      reference: { type: 'rental', id: 'rf-1' },
      idempotencyKey: `rf-pay-${alice.userId}`,
    });
    const before = await moneyOf(api, alice.userId);
    const asked = await api.rest(
      'POST',
      `/api/payment/refund/${paid.transactionId}`,
      { reason: 'power bank was empty' },
      bearer(alice.token),
    );
    expect(asked.body.data).toMatchObject({ destination: 'wallet', amount: { amount: 1_000 } });
    const asFinance = createApiClient({ url: 'http://api.test', fetch: api.fetch, token: finance.token });
    expect(await asFinance.payment.approveRefund.mutate({ refund_id: asked.body.data.id })).toMatchObject({
      status: 'processed',
    });
    const after = await moneyOf(api, alice.userId);
    expect(after.wallet - before.wallet).toBe(600);
    expect(after.points - before.points).toBe(40);
    expect(after.walletLedger).toBe(after.wallet);
    expect(after.pointsLedger).toBe(after.points);
    const again = await api.rest(
      'POST',
      `/api/payment/refund/${paid.transactionId}`,
      { reason: 'again' },
      bearer(alice.token),
    );
    expect(again.status).toBe(422);
  });
});
