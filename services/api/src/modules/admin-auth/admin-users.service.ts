import { revokeAllSessions } from '../../platform/session.ts';
import type { Context } from '../../trpc/context.ts';
import type { SuspendUserInput, UserStatusOutput } from './admin.schemas.ts';
import { type AdminCaller, adminMutation } from './admin-action.ts';
import { lockUserBelow } from './admin-rank.ts';

/** Suspends a user below the caller's rank: every session is revoked at once, and sign-in is refused until reinstated. */
export function suspendUser(
  ctx: Context & { admin: AdminCaller },
  input: SuspendUserInput,
): Promise<UserStatusOutput> {
  return adminMutation(ctx, 'user.suspend', async (tx) => {
    const user = await lockUserBelow(tx, ctx.admin, input.userId);
    const before = { status: user.status };
    user.status = 'suspended';
    await revokeAllSessions(tx, user.id);
    return {
      result: { userId: user.id, status: user.status },
      targetType: 'user',
      targetId: user.id,
      before,
      after: { status: user.status, reason: input.reason },
    };
  });
}
