import type { EntityManager } from '@mikro-orm/postgresql';
import { Notification } from '@powerbank/db';

export interface UserNotice {
  userId: string;
  /** e.g. kyc_approved, refund_rejected, topup_succeeded. */
  type: string;
  title: string;
  body: string;
  payload?: Record<string, unknown>;
  /** One notice per event however often the event is processed. */
  dedupeKey: string;
}

/**
 * An in-app notification row in the caller's unit of work (flushed with it), so it
 * commits with what it tells of or not at all. Push/SMS delivery of these rows is
 * the notification worker's job. (Rental notices are written by packages/rentals
 * with the rental's own update.)
 */
export function notifyUser(em: EntityManager, notice: UserNotice): void {
  em.create(Notification, {
    user: notice.userId,
    type: notice.type,
    channel: 'in_app',
    title: notice.title,
    body: notice.body,
    payload: notice.payload ?? null,
    status: 'sent',
    sentAt: new Date(),
    dedupeKey: notice.dedupeKey,
  });
}
