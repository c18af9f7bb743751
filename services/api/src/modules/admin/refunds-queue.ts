import type { EntityManager } from '@mikro-orm/postgresql';
import { REFUND_STATUSES, Refund } from '@powerbank/db';
import { z } from 'zod';
import { RefundOutput } from '../payment/payment.schemas.ts';
import { refundOutput } from '../payment/refund.service.ts';
import { CursorInput, cursorPage, keysetPage } from './admin-cursor.ts';

export const RefundQueueInput = CursorInput.extend({ status: z.enum(REFUND_STATUSES).default('requested') });
export type RefundQueueInput = z.infer<typeof RefundQueueInput>;

/** A refund as the user sees it (payment API), with whose it is. */
export const RefundQueueItem = RefundOutput.extend({ user_id: z.string() });
export const RefundQueueOutput = cursorPage(RefundQueueItem);
export type RefundQueueOutput = z.infer<typeof RefundQueueOutput>;

/** Refunds in a status (waiting for a decision by default), newest first. */
export async function refundQueue(em: EntityManager, input: RefundQueueInput): Promise<RefundQueueOutput> {
  const page = await keysetPage(em, Refund, { status: input.status }, input, 'createdAt');
  return {
    results: page.rows.map((refund) => ({ ...refundOutput(refund), user_id: refund.user.id })),
    nextCursor: page.nextCursor,
  };
}
