import type { EntityManager } from '@mikro-orm/postgresql';
import { notifyUser } from '../../platform/notify-user.ts';

export interface PaymentNotice {
  userId: string;
  type: 'topup_succeeded' | 'topup_failed' | 'refund_approved' | 'refund_rejected' | 'refund_failed';
  title: string;
  body: string;
  /** The template's variables (and the app's payload). */
  payload: Record<string, unknown>;
  dedupeKey: string;
}

/** A payment's notice to its user (see `notifyUser`). */
export function notifyPayment(em: EntityManager, notice: PaymentNotice): void {
  notifyUser(em, notice);
}
