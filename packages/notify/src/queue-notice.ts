import type { EntityManager } from '@mikro-orm/postgresql';
import { Notification } from '@powerbank/db';

export interface Notice {
  userId: string;
  /** The event's code: picks the NotificationRule (channels) and NotificationTemplate (text). */
  type: string;
  /** The template's `{{variables}}`; also the payload the app receives. */
  vars: Record<string, unknown>;
  /** The text when no template fits (and the inbox's until the worker renders the template). */
  title: string;
  body: string;
  /** One notice per (user, key) however often the event is processed, e.g. `topup:<intent id>`. */
  dedupeKey: string;
}

/**
 * Queues a notice in the caller's unit of work, written on its flush: the in-app notification row,
 * which is also the outbox row the notification worker renders and sends on the rule's channels.
 * Being in the business change's transaction, it is never sent for a change rolled back and never
 * lost for one committed. Raw-SQL callers write the same row (rentals' `noticeStatement`).
 */
export function queueNotice(em: EntityManager, notice: Notice): void {
  em.create(Notification, {
    user: notice.userId,
    type: notice.type,
    channel: 'in_app',
    title: notice.title,
    body: notice.body,
    payload: notice.vars,
    status: 'sent',
    sentAt: new Date(),
    dedupeKey: notice.dedupeKey,
  });
}
