import type { EntityManager } from '@mikro-orm/postgresql';
import { queueNotice } from '@powerbank/notify';

export interface UserNotice {
  userId: string;
  /** e.g. kyc_approved, refund_rejected, topup_succeeded: picks the rule and the template. */
  type: string;
  title: string;
  body: string;
  /** The template's variables, and the payload the app receives. */
  payload?: Record<string, unknown>;
  /** One notice per event however often the event is processed. */
  dedupeKey: string;
}

/**
 * A notice to a user in the caller's unit of work (flushed with it), through the one
 * notification path (`queueNotice`): it commits with what it tells of or not at all, and
 * the notification worker sends it on the channels its rule names. (Rental notices are
 * written by packages/rentals with the rental's own update.)
 */
export function notifyUser(em: EntityManager, notice: UserNotice): void {
  queueNotice(em, { ...notice, vars: notice.payload ?? {} });
}
