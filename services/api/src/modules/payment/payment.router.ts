import { STATIC_TABLES } from '../../platform/static-tables.ts';
import { adminProcedure, authedProcedure, publicProcedure, router } from '../../trpc/trpc.ts';
import { calculateOptions, listPackages, listPaymentMethods } from './catalog.service.ts';
import {
  CalculateOptionsInput,
  CalculateOptionsOutput,
  IntentIdInput,
  NoInput,
  PackagesOutput,
  PaymentMethodsOutput,
  RefundDecisionInput,
  RefundOutput,
  RefundRequestInput,
  RefundsInput,
  RefundsOutput,
  TopupIntentInput,
  TopupIntentOutput,
  TopupStatusOutput,
} from './payment.schemas.ts';
import { approveRefund, listRefunds, rejectRefund, requestRefund } from './refund.service.ts';
import { cancelTopup, createTopupIntent, getTopupStatus, verifyTopup } from './topup.service.ts';

const tags = ['payment'];

/**
 * Payments: options, catalog, top-ups and refunds. `POST /api/payment/webhook/{gateway}`
 * is a plain Hono route (payment.routes.ts): signatures need the raw body.
 */
export const paymentRouter = router({
  calculateOptions: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/payment/calculate-options',
        tags,
        protect: true,
        summary: 'Ways to pay an amount or package: wallet, points, both; each sufficient or not',
      },
    })
    .input(CalculateOptionsInput)
    .output(CalculateOptionsOutput)
    .mutation(({ ctx, input }) => calculateOptions(ctx.em, ctx.staticCache, ctx.auth.user.id, input)),

  // Public catalogue reads (an app shows prices before sign-in), served from the static cache.
  packages: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/payment/packages',
        tags,
        summary: 'Active rental packages and prices (no session needed)',
      },
      responseCache: { tables: [STATIC_TABLES.rentalPackage] },
    })
    .input(NoInput)
    .output(PackagesOutput)
    .query(({ ctx }) => listPackages(ctx.em, ctx.staticCache)),

  methods: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/payment/methods',
        tags,
        summary: 'Top-up methods available now (no session needed)',
      },
      responseCache: { tables: [STATIC_TABLES.paymentMethod] },
    })
    .input(NoInput)
    .output(PaymentMethodsOutput)
    .query(({ ctx }) => listPaymentMethods(ctx.em, ctx.staticCache, ctx.deps)),

  topupIntent: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/payment/wallet/topup-intent',
        tags,
        protect: true,
        summary: 'Start a wallet top-up through a gateway (expires after 30 minutes by default)',
      },
    })
    .input(TopupIntentInput)
    .output(TopupIntentOutput)
    .mutation(({ ctx, input }) => createTopupIntent(ctx.em, ctx.deps, ctx.auth.user.id, input)),

  verifyTopup: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/payment/verify-topup',
        tags,
        protect: true,
        summary: 'Check a top-up with the gateway and credit the wallet once if paid',
      },
    })
    .input(IntentIdInput)
    .output(TopupStatusOutput)
    .mutation(({ ctx, input }) => verifyTopup(ctx.em, ctx.deps, ctx.auth.user.id, input.intent_id)),

  status: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/payment/status/{intent_id}',
        tags,
        protect: true,
        summary: 'A top-up intent and whether it was credited',
      },
    })
    .input(IntentIdInput)
    .output(TopupStatusOutput)
    .query(({ ctx, input }) => getTopupStatus(ctx.em, ctx.deps, ctx.auth.user.id, input.intent_id)),

  cancel: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/payment/cancel/{intent_id}',
        tags,
        protect: true,
        summary: 'Cancel an unpaid top-up (refused once paid)',
      },
    })
    .input(IntentIdInput)
    .output(TopupStatusOutput)
    .mutation(({ ctx, input }) => cancelTopup(ctx.em, ctx.deps, ctx.auth.user.id, input.intent_id)),

  requestRefund: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/payment/refund/{transaction_id}',
        tags,
        protect: true,
        summary: 'Ask for a payment back, with a reason',
      },
    })
    .input(RefundRequestInput)
    .output(RefundOutput)
    .mutation(({ ctx, input }) => requestRefund(ctx.em, ctx.auth.user.id, input)),

  refunds: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/payment/refunds',
        tags,
        protect: true,
        summary: 'My refund requests',
      },
    })
    .input(RefundsInput)
    .output(RefundsOutput)
    .query(({ ctx, input }) => listRefunds(ctx.em, ctx.auth.user.id, input)),

  /** Admin review (procedures only; the admin panel's REST paths come with the admin issue). */
  approveRefund: adminProcedure(['finance', 'super_admin'])
    .input(RefundDecisionInput)
    .output(RefundOutput)
    .mutation(({ ctx, input }) =>
      approveRefund(ctx.em, ctx.deps, { adminId: ctx.admin.id, ip: ctx.client.ip }, input),
    ),

  rejectRefund: adminProcedure(['finance', 'super_admin'])
    .input(RefundDecisionInput)
    .output(RefundOutput)
    .mutation(({ ctx, input }) => rejectRefund(ctx.em, { adminId: ctx.admin.id, ip: ctx.client.ip }, input)),
});
