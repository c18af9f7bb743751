import { adminProcedure, router } from '../../trpc/trpc.ts';
import { RefundDecisionInput, RefundOutput } from '../payment/payment.schemas.ts';
import { approveRefund, rejectRefund } from '../payment/refund.service.ts';
import { adminRest } from './admin-route.ts';
import { RefundQueueInput, RefundQueueOutput, refundQueue } from './refunds-queue.ts';

/**
 * The refund review queue: the same approve and reject as `payment.approveRefund` /
 * `payment.rejectRefund` (one implementation), with REST paths and a list.
 */
export const adminRefundsRouter = router({
  list: adminProcedure(['finance'])
    .meta(adminRest('GET', '/refunds', 'Refunds by status (waiting for a decision by default, cursor)'))
    .input(RefundQueueInput)
    .output(RefundQueueOutput)
    .query(({ ctx, input }) => refundQueue(ctx.em, input)),

  approve: adminProcedure(['finance'])
    .meta(
      adminRest('POST', '/refunds/{refund_id}/approve', 'Approve a refund: money goes back the way it came'),
    )
    .input(RefundDecisionInput)
    .output(RefundOutput)
    .mutation(({ ctx, input }) =>
      approveRefund(ctx.em, ctx.deps, { adminId: ctx.admin.id, ip: ctx.client.ip }, input),
    ),

  reject: adminProcedure(['finance'])
    .meta(adminRest('POST', '/refunds/{refund_id}/reject', 'Decline a refund, with a note the user is told'))
    .input(RefundDecisionInput)
    .output(RefundOutput)
    .mutation(({ ctx, input }) => rejectRefund(ctx.em, { adminId: ctx.admin.id, ip: ctx.client.ip }, input)),
});
