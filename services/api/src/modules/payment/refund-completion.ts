import type { EntityManager } from '@mikro-orm/postgresql';
import type { Refund, Transaction } from '@powerbank/db';
import { formatMoney } from '@powerbank/domain';
import { notifyPayment } from './notify.ts';

/** What refunds in these statuses add up to against one payment. */
export async function refundedSoFar(
  em: EntityManager,
  transactionId: string,
  statuses: readonly string[],
): Promise<number> {
  const [row] = await em.execute<{ total: string | null }[]>(
    `select coalesce(sum(amount), 0) as total from refund where transaction_id = ? and status = any(?::text[])`,
    [transactionId, `{${statuses.join(',')}}`],
  );
  return Number(row?.total ?? 0);
}

/** The payment is `refunded` once processed refunds cover it (flushes first so the current one counts). */
export async function markRefunded(tem: EntityManager, transaction: Transaction): Promise<void> {
  await tem.flush();
  if ((await refundedSoFar(tem, transaction.id, ['processed'])) >= transaction.amount)
    transaction.status = 'refunded';
}

export function notifyApproved(tem: EntityManager, refund: Refund) {
  notifyPayment(tem, {
    userId: refund.user.id,
    type: 'refund_approved',
    title: 'Refund approved',
    body: `${formatMoney(refund.amount, refund.currency).formatted} is on its way back ${refund.destination === 'wallet' ? 'to your wallet' : 'to your card'}.`,
    payload: {
      refundId: refund.id,
      amount: formatMoney(refund.amount, refund.currency).formatted,
      destination: refund.destination === 'wallet' ? 'wallet' : 'card',
    },
    dedupeKey: `refund:${refund.id}`,
  });
}
