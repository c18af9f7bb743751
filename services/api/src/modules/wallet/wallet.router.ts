import { authedProcedure, router } from '../../trpc/trpc.ts';
import {
  NoInput,
  PointsHistoryInput,
  PointsHistoryOutput,
  PointsSummaryOutput,
  TransactionsInput,
  TransactionsOutput,
  WalletOutput,
} from './wallet.schemas.ts';
import { getPointsSummary, getWallet, listPointsHistory, listWalletTransactions } from './wallet.service.ts';

/** The caller's balances and their ledgers (read-only; balances change only through @powerbank/ledger). */
export const walletRouter = router({
  wallet: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/user/wallet',
        tags: ['wallet'],
        protect: true,
        summary: 'Wallet balance (held, available) and points',
      },
    })
    .input(NoInput)
    .output(WalletOutput)
    .query(({ ctx }) => getWallet(ctx.em, ctx.staticCache, ctx.auth.user.id)),

  transactions: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/user/transactions',
        tags: ['wallet'],
        protect: true,
        summary: 'Wallet ledger, newest first (cursor or page; type, direction, from, to)',
      },
    })
    .input(TransactionsInput)
    .output(TransactionsOutput)
    .query(({ ctx, input }) => listWalletTransactions(ctx.em, ctx.auth.user.id, input)),

  pointsHistory: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/points/history',
        tags: ['points'],
        protect: true,
        summary: 'Points ledger, newest first (cursor or page; filters)',
      },
    })
    .input(PointsHistoryInput)
    .output(PointsHistoryOutput)
    .query(({ ctx, input }) => listPointsHistory(ctx.em, ctx.auth.user.id, input)),

  pointsSummary: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/points/summary',
        tags: ['points'],
        protect: true,
        summary: 'Points balance, value, lifetime earned, spent, by type',
      },
    })
    .input(NoInput)
    .output(PointsSummaryOutput)
    .query(({ ctx }) => getPointsSummary(ctx.em, ctx.staticCache, ctx.auth.user.id)),
});
