import type { EntityManager } from '@mikro-orm/postgresql';
import { Invoice, RentalOrder } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import type { AppDeps } from '../../deps.ts';
import type { TopupIntentOutput } from '../payment/payment.schemas.ts';
import { createTopupIntent } from '../payment/topup.service.ts';
import type { PayByGatewayInput } from './market.schemas.ts';

/**
 * `market.orders.payByGateway`: a reserved order paid by a gateway top-up — a payment intent of
 * purpose `market_order` for what is due plus the deposit, through the same intents, checkout
 * page, webhooks and verify-topup as a wallet top-up. Once the gateway's payment is credited
 * (exactly once, whichever of webhook and verify comes first), the same transaction pays the order
 * from the wallet and holds the deposit (`payOrderFromTopup`). An order that expired or was paid
 * meanwhile is not charged: the money stays in the wallet.
 */
export async function payOrderByGateway(
  em: EntityManager,
  deps: AppDeps,
  userId: string,
  input: PayByGatewayInput,
): Promise<TopupIntentOutput> {
  const order = await em.findOne(RentalOrder, { id: input.id, customer: userId });
  if (!order) throw new DomainError('NOT_FOUND', 'no such order');
  if (order.status !== 'reserved') {
    throw new DomainError('BUSINESS_RULE', `an order ${order.status} cannot be paid`);
  }
  if (order.reservedUntil && order.reservedUntil.getTime() <= Date.now()) {
    throw new DomainError('BUSINESS_RULE', 'the reservation expired; check out again');
  }
  const invoice = await em.findOneOrFail(Invoice, { order: order.id });
  const amount = Number(invoice.amountDue) - Number(invoice.amountPaid) + Number(order.depositAmount);
  if (amount <= 0) {
    throw new DomainError('BUSINESS_RULE', 'nothing to pay by card: pay with payment_mode wallet');
  }
  return createTopupIntent(
    em,
    deps,
    userId,
    { amount, payment_method: input.payment_method, idempotency_key: input.idempotency_key },
    { purpose: 'market_order', rentalOrderId: order.id },
  );
}
