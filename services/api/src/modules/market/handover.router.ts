import { adminProcedure, authedProcedure, publicProcedure, router } from '../../trpc/trpc.ts';
import { adminMutation } from '../admin-auth/admin-action.ts';
import {
  DisputeInput,
  DisputesOutput,
  HandoverOutput,
  IssueQrInput,
  PublicKeyOutput,
  QrOutput,
  ResolveDisputeInput,
  VerifyHandoverInput,
} from './handover.schemas.ts';
import {
  acceptCharges,
  disputeCharges,
  disputeQueue,
  handoverOutput,
  issueQr,
  keysFor,
  orderSettlement,
  publicKey,
  resolveDispute,
  verifyHandover,
} from './handover.service.ts';
import { NoInput, OrderIdInput } from './market.schemas.ts';
import { route } from './market-route.ts';

/** QR handover, the return's settlement and its disputes (issue 21; docs/marketplace.md). */
export const handoverRouter = router({
  publicKey: publicProcedure
    .meta(
      route(
        'GET',
        '/handover/public-key',
        'The Ed25519 key scanner apps verify handover QR codes with',
        false,
      ),
    )
    .input(NoInput)
    .output(PublicKeyOutput)
    .query(({ ctx }) => publicKey(keysFor(ctx.deps.env.APP_SECRET))),

  issue: authedProcedure
    .meta(
      route(
        'POST',
        '/orders/{id}/handover-qr',
        "The customer's signed, single-use QR code for the pickup or the return",
      ),
    )
    .input(IssueQrInput)
    .output(QrOutput)
    .mutation(({ ctx, input }) => issueQr(ctx.em, keysFor(ctx.deps.env.APP_SECRET), ctx.auth.user.id, input)),

  verify: authedProcedure
    .meta(
      route(
        'POST',
        '/orders/{id}/handover',
        "The seller's staff scanned the customer's QR code: pickup, or return with each item's condition",
      ),
    )
    .input(VerifyHandoverInput)
    .output(HandoverOutput)
    .mutation(({ ctx, input }) =>
      verifyHandover(ctx.em, keysFor(ctx.deps.env.APP_SECRET), ctx.auth.user.id, input),
    ),

  settlement: authedProcedure
    .meta(
      route('GET', '/orders/{id}/settlement', "The order's return: inspection, late fee, damage, deposit"),
    )
    .input(OrderIdInput)
    .output(HandoverOutput)
    .query(({ ctx, input }) => orderSettlement(ctx.em, ctx.auth.user.id, input.id)),

  acceptCharges: authedProcedure
    .meta(
      route(
        'POST',
        '/orders/{id}/accept-charges',
        "Accept the return's damage charge: the deposit is settled",
      ),
    )
    .input(OrderIdInput)
    .output(HandoverOutput)
    .mutation(({ ctx, input }) => acceptCharges(ctx.em, ctx.auth.user.id, input.id)),

  dispute: authedProcedure
    .meta(route('POST', '/orders/{id}/dispute', "Dispute the return's damage charge (an admin decides)"))
    .input(DisputeInput)
    .output(HandoverOutput)
    .mutation(({ ctx, input }) => disputeCharges(ctx.em, ctx.auth.user.id, input)),

  disputes: adminProcedure(['operations', 'support'])
    .meta(route('GET', '/admin/disputes', 'Disputed damage charges waiting for a decision, oldest first'))
    .input(NoInput)
    .output(DisputesOutput)
    .query(({ ctx }) => disputeQueue(ctx.em)),

  resolveDispute: adminProcedure(['operations'])
    .meta(
      route(
        'POST',
        '/admin/disputes/{id}/resolve',
        'Decide a dispute: the damage charge to keep (0 waives it)',
      ),
    )
    .input(ResolveDisputeInput)
    .output(HandoverOutput)
    .mutation(async ({ ctx, input }) => {
      await adminMutation(ctx, 'market.resolve_dispute', async (tx) => {
        const { before, after } = await resolveDispute(tx, ctx.auth.user.id, input);
        return { result: after, targetType: 'rental_order', targetId: input.id, before, after };
      });
      return handoverOutput(ctx.em.fork(), input.id);
    }),
});
