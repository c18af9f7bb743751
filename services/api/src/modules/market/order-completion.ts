import type { EntityManager } from '@mikro-orm/postgresql';
import type { RentalOrder } from '@powerbank/db';
import { orderNotice } from '@powerbank/market';

/**
 * Everything that happens when an order reaches `completed`, in the completing transition's
 * transaction (the order row is locked; a throw here rolls the whole transition back). The
 * transitions that can complete an order (return settlement, accepted charges, an admin's dispute
 * decision) all pass this as their `onCompleted`. The seller's share of the order is credited here
 * too (seller payouts, issue 21 item 5).
 */
export async function onOrderCompleted(em: EntityManager, order: RentalOrder): Promise<void> {
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
