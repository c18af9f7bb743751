import type { EntityManager } from '@mikro-orm/postgresql';
import type { RentalOrder } from '@powerbank/db';
import { creditSellerShare, orderNotice } from '@powerbank/market';

/**
 * Everything that happens when an order reaches `completed`, in the completing transition's
 * transaction (the order row is locked; a throw here rolls the whole transition back). The
 * transitions that can complete an order (return settlement, accepted charges, an admin's dispute
 * decision) all pass this as their `onCompleted`. The seller's share — the order's revenue less
 * the platform's commission — is credited to the seller balance (`creditSellerShare`; keyed by the
 * order, so a completion processed twice credits once), and the customer is told — once: a
 * completion processed again finds the share credited and sends nothing (the notice's dedupe key
 * would refuse a second row and roll the transaction back).
 */
export async function onOrderCompleted(em: EntityManager, order: RentalOrder): Promise<void> {
  const credit = await creditSellerShare(em, order);
  if (!credit.credited && credit.gross > 0) return;
  orderNotice(em, order, {
    type: 'market_order_completed',
    title: 'Rental completed',
    body: 'Your rental is complete. Thank you!',
    vars: {
      late_fee: Number(order.lateFee),
      damage_charge: Number(order.damageCharge),
      captured: Number(order.capturedAmount),
      due: Number(order.dueAmount),
    },
  });
}
