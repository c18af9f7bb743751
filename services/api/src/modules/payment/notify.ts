import type { EntityManager } from '@mikro-orm/postgresql';
import { notifyUser } from '../../platform/notify-user.ts';

export interface PaymentNotice {
  userId: string;
  type: 'topup_succeeded' | 'topup_failed' | 'refund_approved' | 'refund_rejected' | 'refund_failed';
  title: string;
  body: string;
  payload: Record<string, unknown>;
  /** One notice per event however often the event is processed. */
  dedupeKey: string;
}

/** A payment's notice to its user (see `notifyUser`). */
export function notifyPayment(em: EntityManager, notice: PaymentNotice): void {
  notifyUser(em, notice);
}
