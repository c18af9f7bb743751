import type { EntityManager } from '@mikro-orm/postgresql';
import type { RentalOrder } from '@powerbank/db';
import { queueNotice } from '@powerbank/notify';

export interface OrderNotice {
  /** The event's code: the notification rules pick its channels, the templates its text. */
  type: string;
  title: string;
  body: string;
  vars?: Record<string, unknown>;
  /** Whom it is for (default: the order's customer). */
  userId?: string;
  /** What makes it one of a kind besides the order and type (e.g. a slot's time); default none. */
  key?: string;
}

/**
 * A notice about an order, in the caller's transaction: one per user, order, type (and `key`)
 * however often a transition is retried.
 */
export function orderNotice(em: EntityManager, order: RentalOrder, notice: OrderNotice): void {
  queueNotice(em, {
    userId: notice.userId ?? order.customer.id,
    type: notice.type,
    title: notice.title,
    body: notice.body,
    vars: { order_id: order.id, ...notice.vars },
    dedupeKey: [notice.type, order.id, notice.key].filter(Boolean).join(':'),
  });
}
