import type { EntityManager } from '@mikro-orm/postgresql';
import { Invoice, now, prepared, type RentalOrder, runPrepared } from '@powerbank/db';
import { revenueOfLines, sellerShare } from '@powerbank/domain';
import { ledger } from '@powerbank/ledger';
import { uuidv7 } from 'uuidv7';
import { readMarketConfig } from './market-config.ts';

/** The seller's balance row, made on first use (a seller who never completed an order has none). */
const OPEN_ACCOUNT = prepared((db, p: { id: string; userId: string; currency: string }) =>
  db
    .insertInto('seller_account')
    .values({
      id: p.id,
      user_id: p.userId,
      currency: p.currency,
      balance: 0,
      version: 1,
      created_at: now(),
      updated_at: now(),
    })
    .onConflict((oc) => oc.column('user_id').doNothing()),
);

export async function openSellerAccount(em: EntityManager, userId: string, currency: string): Promise<void> {
  await runPrepared(em, OPEN_ACCOUNT, { id: uuidv7(), userId, currency });
}

export interface SellerCredit {
  gross: number;
  commission: number;
  net: number;
  /** False when this order's share had been credited already (a retried completion). */
  credited: boolean;
}

const ref = (order: RentalOrder) => ({ type: 'rental_order', id: order.id });

/**
 * Credits a completed order's share to its seller, in the caller's transaction: the order's
 * revenue (its invoice's rent after discounts and any charge added to it; not tax, not the
 * deposit) in as `order_revenue`, the platform's commission (AppConfig `market_commission_bp`)
 * out as `commission` — two ledger rows the seller sees. Keys derive from the order, so a
 * completion processed twice, or concurrently, credits once.
 */
export async function creditSellerShare(em: EntityManager, order: RentalOrder): Promise<SellerCredit> {
  const invoice = await em.findOne(Invoice, { order: order.id });
  const gross = revenueOfLines((invoice?.lines ?? []) as { kind: string; amount: number }[]);
  const config = await readMarketConfig(em);
  const share = sellerShare(gross, config.market_commission_bp);
  if (share.gross === 0) return { ...share, credited: false };
  const sellerId = order.seller.id;
  await openSellerAccount(em, sellerId, order.currency);
  const common = { userId: sellerId, reference: ref(order) };
  const revenue = await ledger.creditSeller(em, {
    ...common,
    amount: share.gross,
    type: 'order_revenue',
    idempotencyKey: `order:${order.id}:seller-revenue`,
    description: 'Completed order',
  });
  // Credited before: its commission was taken in the same transaction (and the rate may have changed since).
  if (revenue.replayed) return { ...share, credited: false };
  if (share.commission > 0) {
    await ledger.debitSeller(em, {
      ...common,
      amount: share.commission,
      type: 'commission',
      idempotencyKey: `order:${order.id}:commission`,
      description: `Platform commission ${config.market_commission_bp / 100}%`,
    });
  }
  return { ...share, credited: true };
}
