import { LockMode } from '@mikro-orm/core';
import { RentalOrder } from '@powerbank/db';
import type { CrowdMember } from '../../testing/crowd.ts';
import type { TestApi } from '../../testing/test-app.ts';
import { aProduct, funded, period } from './market.testing.ts';
import { onOrderCompleted } from './order-completion.ts';

let periods = 0;

/** A paid (confirmed) order of a fresh one-item product of `sellerId`, 45.00/day over two days. */
export async function aPaidOrder(api: TestApi, sellerId: string, category: Parameters<typeof aProduct>[2]) {
  const product = await aProduct(api, sellerId, category);
  const [customer] = (await funded(api, 1, 100_000)) as [CrowdMember];
  const at = period(periods, periods + 2);
  periods += 3;
  const res = await api.rest(
    'POST',
    '/api/market/checkout',
    {
      product_id: product.id,
      start: at.start.toISOString(),
      end: at.end.toISOString(),
      payment_mode: 'wallet',
      idempotency_key: `checkout-${product.id}`,
    },
    { authorization: `Bearer ${customer.token}` },
  );
  if (res.status !== 200) throw new Error(`checkout failed: ${JSON.stringify(res.body)}`);
  return { orderId: res.body.data.id as string, product, customer };
}

/**
 * Moves an order to `completed` and runs the completion hook in that transaction, the order row
 * locked — what the return's settlement does (handover and inspection are another module's), so
 * the seller credit is exercised as the completing transition calls it.
 */
export function completeOrder(api: TestApi, orderId: string): Promise<void> {
  return api.deps.orm.em.fork().transactional(async (tem) => {
    const order = await tem.findOneOrFail(
      RentalOrder,
      { id: orderId },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    order.status = 'completed';
    await onOrderCompleted(tem, order);
    await tem.flush();
  });
}
