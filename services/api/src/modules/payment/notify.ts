import type { EntityManager } from '@mikro-orm/postgresql';
import { Notification } from '@powerbank/db';

export interface PaymentNotice {
  userId: string;
  type: 'topup_succeeded' | 'topup_failed' | 'refund_approved' | 'refund_rejected' | 'refund_failed';
  title: string;
  body: string;
  payload: Record<string, unknown>;
  /** One notice per event however often the event is processed. */
  dedupeKey: string;
}

/**
 * An in-app notification row in the caller's unit of work (flushed with it).
 * Push/SMS delivery of these rows is the notification worker's job.
 */
export function notifyPayment(em: EntityManager, notice: PaymentNotice): void {
  em.create(Notification, {
    user: notice.userId,
    type: notice.type,
    channel: 'in_app',
    title: notice.title,
    body: notice.body,
    payload: notice.payload,
    status: 'sent',
    sentAt: new Date(),
    dedupeKey: notice.dedupeKey,
  });
}
