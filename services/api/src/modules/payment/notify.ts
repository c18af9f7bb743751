import type { EntityManager } from '@mikro-orm/postgresql';
import { queueNotice } from '@powerbank/notify';

export interface PaymentNotice {
  userId: string;
  type: 'topup_succeeded' | 'topup_failed' | 'refund_approved' | 'refund_rejected' | 'refund_failed';
  title: string;
  body: string;
  /** The template's variables (and the app's payload). */
  payload: Record<string, unknown>;
  /** One notice per event however often the event is processed. */
  dedupeKey: string;
}

/**
 * A payment notice in the caller's unit of work (flushed with it): the in-app row, which the
 * notification worker renders and sends on the channels its rule names.
 */
export function notifyPayment(em: EntityManager, notice: PaymentNotice): void {
  queueNotice(em, { ...notice, vars: notice.payload });
}
