import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RentalOrder } from '@powerbank/db';
import { marketEvent } from './market-events.ts';
import { transitionOrder } from './order-transitions.ts';

/**
 * A gateway top-up made for an order (payment intent of purpose `market_order`) has just been
 * credited to the customer's wallet, in the caller's transaction: it now pays the order from the
 * wallet — the invoice and the deposit hold, the credit covering both — as `market.orders.pay`
 * would. The order is locked first, so the reservation-expiry job (SKIP LOCKED) and a wallet
 * payment of the same order wait or step aside. An order no longer payable — expired, cancelled,
 * paid meanwhile, or past its deadline — is not charged: the money stays in the wallet, credited,
 * and the event log says so. Returns whether the order was paid.
 */
export async function payOrderFromTopup(em: EntityManager, orderId: string): Promise<boolean> {
  const order = await em.findOne(RentalOrder, { id: orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!order) return false;
  const due =
    order.status === 'reserved' && (!order.reservedUntil || order.reservedUntil.getTime() > Date.now());
  if (due) {
    const paid = await transitionOrder(
      em,
      order,
      { type: 'PAY' },
      { actor: order.customer.id, payment: { mode: 'wallet' } },
    );
    if (paid) return true;
  }
  marketEvent(
    em,
    'order.payment_kept_in_wallet',
    { userId: order.customer.id },
    {
      orderId: order.id,
      status: order.status,
      reason: 'the order was no longer payable when the top-up arrived',
    },
  );
  await em.flush();
  return false;
}
