import type { EntityManager } from '@mikro-orm/postgresql';
import type { RentalOrder } from '@powerbank/db';
import { queueNotice } from '@powerbank/notify';

/**
 * A notice to the order's customer about `type` (the notification rules pick its channels), in
 * the caller's transaction; one per order and type however often a transition is retried.
 */
export function orderNotice(
  em: EntityManager,
  order: RentalOrder,
  type: string,
  title: string,
  body: string,
  vars: Record<string, unknown> = {},
  userId: string = order.customer.id,
): void {
  queueNotice(em, {
    userId,
    type,
    title,
    body,
    vars: { order_id: order.id, ...vars },
    dedupeKey: `${type}:${order.id}`,
  });
}
