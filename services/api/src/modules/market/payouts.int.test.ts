import { createApiClient } from '@powerbank/api-client';
import { AdminActionLog, Notification, SellerAccount, SellerAccountEntry, SellerPayout } from '@powerbank/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, setAppConfig, signUpAdmin, useTestApi } from '../../testing/auth-helpers.ts';
import type { CrowdMember } from '../../testing/crowd.ts';
import { aCategoryTree, aSeller, funded } from './market.testing.ts';
import { aPaidOrder, completeOrder } from './payouts.testing.ts';

const getApi = useTestApi();
const client = (token?: string) => createApiClient({ url: 'http://api.test', fetch: getApi().fetch, token });

let tree: Awaited<ReturnType<typeof aCategoryTree>>;
beforeAll(async () => {
  tree = await aCategoryTree(getApi());
  // 15% commission; 10% tax, which is not the seller's revenue.
  await setAppConfig(getApi(), { market_commission_bp: 1500, market_tax_rate_bp: 1000 });
});

const em = () => getApi().deps.orm.em.fork();
const balanceOf = async (sellerId: string) =>
  Number((await em().findOne(SellerAccount, { user: sellerId }))?.balance ?? 0);

/** The seller ledger's invariant over every account: the entries sum to the balance. */
async function ledgerSumsMatch(): Promise<void> {
  const rows = await em()
    .getConnection()
    .execute<{ n: number }[]>(
      `select count(*)::int as n from seller_account a
       where a.balance <> coalesce((select sum(e.amount) from seller_account_entry e where e.account_id = a.id), 0)`,
    );
  expect(rows[0]?.n).toBe(0);
}

/** A seller with one completed order: 2 days × 45.00 = 90.00 revenue, 13.50 commission, 76.50 net. */
async function sellerWithRevenue(): Promise<{ seller: CrowdMember; orderId: string }> {
  const seller = await aSeller(getApi());
  const { orderId } = await aPaidOrder(getApi(), seller.userId, tree.cameras);
  await completeOrder(getApi(), orderId);
  return { seller, orderId };
}

describe('seller balance: the share of a completed order', () => {
  it('credits revenue less commission once, however often (and concurrently) the completion runs; the seller sees both movements', async () => {
    const api = getApi();
    const seller = await aSeller(api);
    const { orderId } = await aPaidOrder(api, seller.userId, tree.cameras);
    expect(await balanceOf(seller.userId)).toBe(0); // paid is not earned: nothing before completion

    await Promise.all([0, 1, 2, 3].map(() => completeOrder(api, orderId)));
    await completeOrder(api, orderId);
    expect(await balanceOf(seller.userId)).toBe(7650);
    expect(await em().count(SellerAccountEntry, { user: seller.userId })).toBe(2);

    const rest = await api.rest('GET', '/api/market/seller/balance', undefined, bearer(seller.token));
    expect(rest.status).toBe(200);
    expect(rest.body.data).toMatchObject({
      balance: 7650,
      currency: 'USD',
      requested_payouts: 0,
      commission_bp: 1500,
    });
    expect(
      rest.body.data.entries.map((e: { type: string; amount: number }) => [e.type, e.amount]).sort(),
    ).toEqual([
      ['commission', -1350],
      ['order_revenue', 9000],
    ]);
    const share = await client(seller.token).market.payouts.orderShare.query({ id: orderId });
    expect(share).toMatchObject({ order_id: orderId, gross: 9000, commission: 1350, net: 7650 });
    expect(share.entries.every((e) => e.reference_id === orderId)).toBe(true);
    await ledgerSumsMatch();
  });

  it("another seller reading my order's share or my payout gets 404; a customer gets 403", async () => {
    const api = getApi();
    const { seller, orderId } = await sellerWithRevenue();
    const payout = await client(seller.token).market.payouts.request.mutate({
      amount: 100,
      idempotency_key: 'payout-peek-1',
    });
    const other = await aSeller(api);
    for (const path of [
      `/api/market/seller/orders/${orderId}/share`,
      `/api/market/seller/payouts/${payout.id}`,
    ]) {
      expect((await api.rest('GET', path, undefined, bearer(other.token))).status, path).toBe(404);
    }
    await expect(client(other.token).market.payouts.get.query({ id: payout.id })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    // Their own balance is their own: nothing of the first seller's shows.
    expect((await client(other.token).market.payouts.balance.query({})).entries).toEqual([]);
    const [customer] = await funded(api, 1);
    expect(
      (await api.rest('GET', '/api/market/seller/balance', undefined, bearer(customer!.token))).status,
    ).toBe(403);
  });
});

describe('payout requests', () => {
  it('more than the balance is refused with nothing written; a string amount is refused', async () => {
    const api = getApi();
    const { seller } = await sellerWithRevenue();
    const res = await api.rest(
      'POST',
      '/api/market/seller/payouts',
      { amount: 7651, idempotency_key: 'payout-too-much' },
      bearer(seller.token),
    );
    expect(res.status).toBe(402);
    expect(res.body.error.code).toBe('INSUFFICIENT_FUNDS');
    const typed = await api.rest(
      'POST',
      '/api/market/seller/payouts',
      { amount: '100', idempotency_key: 'payout-string' },
      bearer(seller.token),
    );
    expect(typed.status).toBe(400);
    expect(await em().count(SellerPayout, { seller: seller.userId })).toBe(0);
    expect(await balanceOf(seller.userId)).toBe(7650);
  });

  it('the same request five times at once is one payout and one debit', async () => {
    const api = getApi();
    const { seller } = await sellerWithRevenue();
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map(() =>
        api.rest(
          'POST',
          '/api/market/seller/payouts',
          { amount: 1000, idempotency_key: 'payout-twice-1' },
          bearer(seller.token),
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.data.id)).size).toBe(1);
    expect(await em().count(SellerPayout, { seller: seller.userId })).toBe(1);
    expect(await em().count(SellerAccountEntry, { user: seller.userId, type: 'payout' })).toBe(1);
    expect(await balanceOf(seller.userId)).toBe(6650);
    // The key with another amount is another request: refused.
    const reused = await api.rest(
      'POST',
      '/api/market/seller/payouts',
      { amount: 999, idempotency_key: 'payout-twice-1' },
      bearer(seller.token),
    );
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('five different requests for the whole balance at once: one goes through, the others 402, never below zero', async () => {
    const { seller } = await sellerWithRevenue();
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        client(seller.token)
          .market.payouts.request.mutate({ amount: 7650, idempotency_key: `payout-race-${i}` })
          .then(
            () => 'ok',
            (e: { data?: { code?: string } }) => e.data?.code,
          ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'PAYMENT_REQUIRED')).toHaveLength(4);
    expect(await balanceOf(seller.userId)).toBe(0);
    expect(await em().count(SellerPayout, { seller: seller.userId })).toBe(1);
    await ledgerSumsMatch();
  });
});

describe('the finance queue', () => {
  it('finance approves (support may not); two approvals at once: one decides, the other 409; the seller is told', async () => {
    const api = getApi();
    const { seller } = await sellerWithRevenue();
    const payout = await client(seller.token).market.payouts.request.mutate({
      amount: 5000,
      idempotency_key: 'payout-approve-1',
    });
    const [finance, finance2, support] = await Promise.all([
      signUpAdmin(api, 'finance'),
      signUpAdmin(api, 'finance'),
      signUpAdmin(api, 'support'),
    ]);
    const queue = await api.rest('GET', '/api/market/admin/payouts', undefined, bearer(finance.token));
    expect(queue.status).toBe(200);
    expect(queue.body.data.results.map((p: { id: string }) => p.id)).toContain(payout.id);
    const path = `/api/market/admin/payouts/${payout.id}/approve`;
    expect((await api.rest('POST', path, {}, bearer(support.token))).status).toBe(403);

    const [a, b] = await Promise.all([
      api.rest('POST', path, {}, bearer(finance.token)),
      client(finance2.token)
        .market.admin.approvePayout.mutate({ id: payout.id })
        .then(
          () => 200,
          (e: { data?: { httpStatus?: number } }) => e.data?.httpStatus,
        ),
    ]);
    expect([a.status, b].sort()).toEqual([200, 409]);
    const stored = await em().findOneOrFail(SellerPayout, { id: payout.id });
    expect(stored.status).toBe('approved');
    expect(await balanceOf(seller.userId)).toBe(2650); // taken at the request, not again
    expect(await em().count(AdminActionLog, { action: 'market.approve_payout', targetId: payout.id })).toBe(
      1,
    );
    expect(await em().count(Notification, { user: seller.userId, type: 'market_payout_approved' })).toBe(1);
    expect((await client(seller.token).market.payouts.get.query({ id: payout.id })).status).toBe('approved');
  });

  it('a rejection gives the amount back once, with the reason', async () => {
    const api = getApi();
    const { seller } = await sellerWithRevenue();
    const payout = await client(seller.token).market.payouts.request.mutate({
      amount: 7650,
      idempotency_key: 'payout-reject-1',
    });
    expect(await balanceOf(seller.userId)).toBe(0);
    const finance = await signUpAdmin(api, 'finance');
    const noReason = await api.rest(
      'POST',
      `/api/market/admin/payouts/${payout.id}/reject`,
      {},
      bearer(finance.token),
    );
    expect(noReason.status).toBe(400);
    const rejected = await client(finance.token).market.admin.rejectPayout.mutate({
      id: payout.id,
      note: 'bank details missing',
    });
    expect(rejected).toMatchObject({ status: 'rejected', note: 'bank details missing' });
    const again = await api.rest(
      'POST',
      `/api/market/admin/payouts/${payout.id}/reject`,
      { note: 'bank details missing' },
      bearer(finance.token),
    );
    expect(again.status).toBe(409);
    expect(await balanceOf(seller.userId)).toBe(7650);
    const entries = (await client(seller.token).market.payouts.balance.query({})).entries.map((e) => e.type);
    expect(entries.filter((t) => t === 'payout_reversal')).toHaveLength(1);
    expect(await em().count(Notification, { user: seller.userId, type: 'market_payout_rejected' })).toBe(1);
    await ledgerSumsMatch();
  });
});
