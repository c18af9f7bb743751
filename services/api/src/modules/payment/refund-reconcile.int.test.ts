import { createApiClient } from '@powerbank/api-client';
import { Notification, Refund, Transaction } from '@powerbank/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, signUpAdmin } from '../../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';
import { moneyOf, sandboxOf, seedPaymentMethods, startTopup, waitFor } from './payment.testing.ts';
import { reconcileRefunds } from './refund-gateway.ts';
import { startRefundReconciler } from './refund-reconciler.ts';

/**
 * A refund through the gateway is two steps that cannot share a transaction:
 * the gateway's refund, then our record of it. These tests break the second
 * step (a real database failure: a trigger refusing the update) or the first
 * (a gateway outage), and check money leaves once and the job finishes it.
 */
describe('refund through the gateway: an unknown outcome is reconciled', () => {
  let api: TestApi;
  let finance: SignedUp;

  beforeAll(async () => {
    api = await createTestApi({ env: { SANDBOX_WEBHOOK_DELAY_MS: '0' } });
    await seedPaymentMethods(api);
    finance = await signUpAdmin(api, 'finance');
  });
  afterAll(() => api?.close());

  /** A user with a credited top-up of `amount` and a refund of it requested. */
  async function refundRequested(amount: number) {
    const user = await signUp(api);
    const { intentId, gatewayIntentId } = await startTopup(api, user.token, amount);
    sandboxOf(api).approve(gatewayIntentId);
    const paid = await waitFor(
      () => api.rest('GET', `/api/payment/status/${intentId}`, undefined, bearer(user.token)),
      (res) => res.body.data?.credited === true,
    );
    expect(paid.body.data?.credited).toBe(true);
    const asked = await api.rest(
      'POST',
      `/api/payment/refund/${paid.body.data.transaction_id}`,
      { reason: 'not needed' },
      bearer(user.token),
    );
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    return {
      user,
      gatewayIntentId,
      refundId: asked.body.data.id as string,
      transactionId: paid.body.data.transaction_id as string,
    };
  }

  const approve = (refundId: string) =>
    createApiClient({
      url: 'http://api.test',
      fetch: api.fetch,
      token: finance.token,
    }).payment.approveRefund.mutate({ refund_id: refundId });

  /** Refuses any refund row moving to `processed`, as a failing database would after the gateway answered. */
  async function failRecordingProcessed(on: boolean) {
    const em = api.deps.orm.em.fork();
    if (!on) {
      await em.execute('drop trigger if exists refund_record_fails on refund');
      return;
    }
    await em.execute(`create or replace function refund_record_fails() returns trigger language plpgsql as $$
      begin raise exception 'injected: the database failed recording the refund'; end $$`);
    await em.execute(`create trigger refund_record_fails before update on refund for each row
      when (new.status = 'processed') execute function refund_record_fails()`);
  }

  /**
   * Two runs of the job at once, as two api workers would: what they moved,
   * added up (how often a refund left waiting was looked at depends on timing).
   */
  async function reconcileTwiceAtOnce() {
    const runs = await Promise.all(
      [0, 1].map(() => reconcileRefunds(api.deps.orm.em.fork(), api.deps, new Date())),
    );
    return runs.reduce(
      (sum, run) => ({ processed: sum.processed + run.processed, failed: sum.failed + run.failed }),
      { processed: 0, failed: 0 },
    );
  }

  const refundRow = (refundId: string) => api.deps.orm.em.fork().findOneOrFail(Refund, { id: refundId });

  it('gateway refunded, database failed after it: the debit stays, the refund stays approved, the job records it', async () => {
    const { user, refundId, gatewayIntentId } = await refundRequested(700);
    const before = await moneyOf(api, user.userId);
    await failRecordingProcessed(true);
    try {
      expect(await approve(refundId)).toMatchObject({ status: 'approved' });
    } finally {
      await failRecordingProcessed(false);
    }
    const after = await moneyOf(api, user.userId);
    // Money went out at the gateway once: the wallet keeps the debit, nothing reversed.
    expect(before.wallet - after.wallet).toBe(700);
    expect(after.walletLedger).toBe(after.wallet);
    const refund = await api.deps.orm.em.fork().findOneOrFail(Refund, { id: refundId });
    expect(refund.status).toBe('approved');
    const transaction = await api.deps.orm.em
      .fork()
      .findOneOrFail(Transaction, { id: refund.transaction.id });
    expect(transaction.status).toBe('succeeded');
    expect(sandboxOf(api).refundsOf(gatewayIntentId)).toHaveLength(1);

    // The job asks the gateway by the refund's key, finds it done, and records it; once.
    expect(await reconcileTwiceAtOnce()).toEqual({ processed: 1, failed: 0 });
    const done = await refundRow(refundId);
    expect(done.status).toBe('processed');
    expect(done.gatewayRefundId).toBe(sandboxOf(api).refundsOf(gatewayIntentId)[0]?.gatewayRefundId);
    expect(
      (await api.deps.orm.em.fork().findOneOrFail(Transaction, { id: refund.transaction.id })).status,
    ).toBe('refunded');
    expect(sandboxOf(api).refundsOf(gatewayIntentId)).toHaveLength(1);
    const settled = await moneyOf(api, user.userId);
    expect(before.wallet - settled.wallet).toBe(700);
    expect(settled.walletLedger).toBe(settled.wallet);
    expect(await reconcileTwiceAtOnce()).toEqual({ processed: 0, failed: 0 });
  });

  it('a refund stuck in approved (gateway unreachable) is sent by the job, once, after it is old enough', async () => {
    const { user, refundId, gatewayIntentId } = await refundRequested(400);
    const before = await moneyOf(api, user.userId);
    const approvedAt = new Date();
    sandboxOf(api).setUnreachable(true);
    try {
      expect(await approve(refundId)).toMatchObject({ status: 'approved' });
      // While the gateway stays unreachable the job learns nothing and changes nothing.
      expect(await reconcileTwiceAtOnce()).toEqual({ processed: 0, failed: 0 });
    } finally {
      sandboxOf(api).setUnreachable(false);
    }
    expect(sandboxOf(api).refundsOf(gatewayIntentId)).toHaveLength(0);
    expect((await refundRow(refundId)).status).toBe('approved');
    // Approved after the cut-off: an approval may still be talking to the gateway, so it is left alone.
    const tooYoung = await reconcileRefunds(
      api.deps.orm.em.fork(),
      api.deps,
      new Date(approvedAt.getTime() - 1_000),
    );
    expect(tooYoung).toEqual({ processed: 0, failed: 0, waiting: 0, skipped: 0 });

    expect(await reconcileTwiceAtOnce()).toEqual({ processed: 1, failed: 0 });
    expect(sandboxOf(api).refundsOf(gatewayIntentId)).toHaveLength(1);
    expect((await refundRow(refundId)).status).toBe('processed');
    const after = await moneyOf(api, user.userId);
    expect(before.wallet - after.wallet).toBe(400);
    expect(after.walletLedger).toBe(after.wallet);
  });

  it('a refund the gateway holds pending waits; when it fails, the debit is reversed once', async () => {
    const { user, refundId, gatewayIntentId } = await refundRequested(300);
    const before = await moneyOf(api, user.userId);
    sandboxOf(api).setRefundsPending(true);
    try {
      expect(await approve(refundId)).toMatchObject({ status: 'approved' });
    } finally {
      sandboxOf(api).setRefundsPending(false);
    }
    const firstAsked = new Date();
    expect(await reconcileTwiceAtOnce()).toEqual({ processed: 0, failed: 0 });
    expect(before.wallet - (await moneyOf(api, user.userId)).wallet).toBe(300);
    // Asked and still pending: not asked again until it is old enough again (others get their turn).
    expect(await reconcileRefunds(api.deps.orm.em.fork(), api.deps, firstAsked)).toEqual({
      processed: 0,
      failed: 0,
      waiting: 0,
      skipped: 0,
    });

    sandboxOf(api).settleRefund(refundId, 'failed');
    expect(await reconcileTwiceAtOnce()).toEqual({ processed: 0, failed: 1 });
    expect(await reconcileTwiceAtOnce()).toEqual({ processed: 0, failed: 0 });
    expect((await refundRow(refundId)).status).toBe('failed');
    expect(sandboxOf(api).refundsOf(gatewayIntentId)).toEqual([
      expect.objectContaining({ status: 'failed' }),
    ]);
    const after = await moneyOf(api, user.userId);
    expect(after.wallet).toBe(before.wallet);
    expect(after.walletLedger).toBe(after.wallet);
    expect(
      await api.deps.orm.em.fork().count(Notification, { user: user.userId, type: 'refund_failed' }),
    ).toBe(1);
  });

  it('the api runs the job on its interval: a stuck refund is finished without anyone asking', async () => {
    const { refundId, gatewayIntentId } = await refundRequested(200);
    sandboxOf(api).setUnreachable(true);
    try {
      expect(await approve(refundId)).toMatchObject({ status: 'approved' });
    } finally {
      sandboxOf(api).setUnreachable(false);
    }
    const stop = startRefundReconciler(api.deps, { every: 20, after: 0 });
    try {
      const refund = await waitFor(
        () => refundRow(refundId),
        (row) => row.status !== 'approved',
      );
      expect(refund.status).toBe('processed');
    } finally {
      await stop();
    }
    expect(sandboxOf(api).refundsOf(gatewayIntentId)).toHaveLength(1);
  });
});
