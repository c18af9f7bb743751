import { User } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { revokeAllSessions } from '../../platform/session.ts';
import type { Context } from '../../trpc/context.ts';
import type { SuspendUserInput, UserStatusOutput } from './admin.schemas.ts';
import { type AdminCaller, adminMutation } from './admin-action.ts';

/** Suspends a user: every session is revoked at once, and sign-in is refused until reinstated. */
export function suspendUser(
  ctx: Context & { admin: AdminCaller },
  input: SuspendUserInput,
): Promise<UserStatusOutput> {
  return adminMutation(ctx, 'user.suspend', async (tx) => {
    const user = await tx.findOne(User, { id: input.userId });
    if (!user || user.status === 'deleted') throw new DomainError('NOT_FOUND', 'no such user');
    if (user.id === ctx.auth?.user.id) throw new DomainError('BUSINESS_RULE', 'you cannot suspend yourself');
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
