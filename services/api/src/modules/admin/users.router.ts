import { adminProcedure, router } from '../../trpc/trpc.ts';
import { adminRest } from './admin-route.ts';
import { adjustBalance } from './user-balances.service.ts';
import {
  BalanceAdjustInput,
  BalanceAdjustOutput,
  SessionsRevokedOutput,
  UserDetailOutput,
  UserIdInput,
  UserListInput,
  UserListOutput,
  UserReasonInput,
  UserStatusOutput,
} from './users.schemas.ts';
import { listUsers, reinstateUser, revokeUserSessions, suspendUser, userDetail } from './users.service.ts';

const STAFF = ['operations', 'finance', 'support'] as const;

/** Users: find, look at, suspend and reinstate, sign out, correct balances. */
export const adminUsersRouter = router({
  list: adminProcedure(STAFF)
    .meta(
      adminRest(
        'GET',
        '/users',
        'Find users by phone, email, name, status, KYC status (newest first, cursor)',
      ),
    )
    .input(UserListInput)
    .output(UserListOutput)
    .query(({ ctx, input }) => listUsers(ctx.em, input)),

  detail: adminProcedure(STAFF)
    .meta(
      adminRest(
        'GET',
        '/users/{userId}',
        'A user: profile, wallet, points, devices, sessions, rentals, dues, KYC, audit',
      ),
    )
    .input(UserIdInput)
    .output(UserDetailOutput)
    .query(({ ctx, input }) => userDetail(ctx.em, input)),

  suspend: adminProcedure(['operations', 'support'])
    .meta(
      adminRest(
        'POST',
        '/users/{userId}/suspend',
        'Suspend a user below your rank: sessions revoked, sign-in refused',
      ),
    )
    .input(UserReasonInput)
    .output(UserStatusOutput)
    .mutation(({ ctx, input }) => suspendUser(ctx, input)),

  reinstate: adminProcedure(['operations', 'support'])
    .meta(
      adminRest('POST', '/users/{userId}/reinstate', 'Let a suspended user below your rank sign in again'),
    )
    .input(UserReasonInput)
    .output(UserStatusOutput)
    .mutation(({ ctx, input }) => reinstateUser(ctx, input)),

  revokeSessions: adminProcedure(['operations', 'support'])
    .meta(
      adminRest('POST', '/users/{userId}/revoke-sessions', 'Sign a user below your rank out of every device'),
    )
    .input(UserReasonInput)
    .output(SessionsRevokedOutput)
    .mutation(({ ctx, input }) => revokeUserSessions(ctx, input)),

  adjustWallet: adminProcedure(['finance'])
    .meta(
      adminRest(
        'POST',
        '/users/{userId}/wallet',
        'Credit or debit a wallet through the ledger (never below zero; idempotency key)',
      ),
    )
    .input(BalanceAdjustInput)
    .output(BalanceAdjustOutput)
    .mutation(({ ctx, input }) => adjustBalance(ctx, 'wallet', input)),

  adjustPoints: adminProcedure(['finance'])
    .meta(
      adminRest(
        'POST',
        '/users/{userId}/points',
        'Credit or debit points through the ledger (never below zero; idempotency key)',
      ),
    )
    .input(BalanceAdjustInput)
    .output(BalanceAdjustOutput)
    .mutation(({ ctx, input }) => adjustBalance(ctx, 'points', input)),
});
