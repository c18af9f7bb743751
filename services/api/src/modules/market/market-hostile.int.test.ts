import { RentalOrder, RentalOrderItem, Wallet, WalletTransaction } from '@powerbank/db';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApi } from '../../testing/auth-helpers.ts';
import { aCategoryTree, aProduct, aSeller, funded, period } from './market.testing.ts';

const CROWD = 1000;
const WALLET = 100_000;
const getApi = useTestApi();

describe('hostile: 1,000 concurrent checkouts for the last free item over overlapping periods', () => {
  it('exactly one reservation; the rest a clear 409 and no money moved', async () => {
    const api = getApi();
    const tree = await aCategoryTree(api);
    const seller = await aSeller(api);
    const product = await aProduct(api, seller.userId, tree.cameras);
    const crowd = await funded(api, CROWD, WALLET);

    // Overlapping periods, three different ones: days 0–3, 1–4, 2–5 — every pair overlaps.
    const results = await Promise.all(
      crowd.map((u, i) => {
        const p = period(i % 3, (i % 3) + 3);
        return api.rest(
          'POST',
          '/api/market/checkout',
          {
            product_id: product.id,
            start: p.start.toISOString(),
            end: p.end.toISOString(),
            payment_mode: 'wallet',
            idempotency_key: `hostile-${i}-checkout`,
          },
          bearer(u.token),
        );
      }),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(CROWD - 1);
    const refusal = results.find((r) => r.status === 409);
    expect(refusal?.body.error.code).toBe('CONFLICT');

    const em = api.deps.orm.em.fork();
    const winnerIndex = statuses.indexOf(200);
    const winner = crowd[winnerIndex]!;
    expect(await em.count(RentalOrder, { seller: seller.userId })).toBe(1);
    expect(await em.count(RentalOrderItem, { product: product.id, blocking: true })).toBe(1);
    // Money: only the winner paid; every loser's wallet and ledger are as they were.
    const wallets = await em.find(Wallet, { user: { $in: crowd.map((u) => u.userId) } });
    const moved = wallets.filter((w) => Number(w.balance) !== WALLET || Number(w.held) !== 0);
    expect(moved.map((w) => w.user.id)).toEqual([winner.userId]);
    expect(
      await em.count(WalletTransaction, { type: 'order_payment', user: { $in: crowd.map((u) => u.userId) } }),
    ).toBe(1);
  }, 300_000);
});
