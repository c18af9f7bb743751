import { ledger } from '@powerbank/ledger';
import { clientKey } from '../../platform/client-key.ts';
import type { Context } from '../../trpc/context.ts';
import { type AdminCaller, adminMutation } from '../admin-auth/admin-action.ts';
import { lockUserBelow } from '../admin-auth/admin-rank.ts';
import type { BalanceAdjustInput, BalanceAdjustOutput } from './users.schemas.ts';

const ENTRIES = {
  wallet: { credit: ledger.creditWallet, debit: ledger.debitWallet },
  points: { credit: ledger.creditPoints, debit: ledger.debitPoints },
} as const;

/**
 * A correction of a user's wallet (minor units) or points by staff, through the
 * ledger like every balance change: a ledger row with the reason, and an overdraft
 * refused (402 INSUFFICIENT_FUNDS; the balance CHECK holds it even against a
 * concurrent debit). The admin's key is scoped to the admin and the user: a retry
 * moves nothing and answers `replayed`; the key with another amount is 409.
 */
export function adjustBalance(
  ctx: Context & { admin: AdminCaller },
  kind: 'wallet' | 'points',
  input: BalanceAdjustInput,
): Promise<BalanceAdjustOutput> {
  return adminMutation(ctx, `user.${kind}_${input.direction}`, async (tx) => {
    const user = await lockUserBelow(tx, ctx.admin, input.userId);
    const entry = await ENTRIES[kind][input.direction](tx, {
      userId: user.id,
      amount: input.amount,
      type: 'adjustment',
      idempotencyKey: clientKey(ctx.admin.id, `admin-${kind}`, user.id, input.idempotencyKey),
      reference: { type: 'admin_profile', id: ctx.admin.id },
      description: input.reason,
    });
    return {
      result: {
        userId: user.id,
        delta: entry.delta,
        balanceAfter: entry.balanceAfter,
        replayed: entry.replayed,
      },
      targetType: 'user',
      targetId: user.id,
      before: { [kind]: entry.balanceAfter - entry.delta },
      after: { [kind]: entry.balanceAfter, delta: entry.delta, entryId: entry.entryId },
      reason: input.reason,
      // A retry under the same key changed nothing now: it is not logged a second time.
      unchanged: entry.replayed,
    };
  });
}
