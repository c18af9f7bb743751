import type { EntityManager } from '@mikro-orm/postgresql';
import { AdminProfile, User } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import type { AdminRole } from '../../platform/session.ts';
import type { AdminCaller } from './admin-action.ts';

/**
 * One ranked list of staff roles (docs/rules.md): super_admin > operations >
 * finance = support > customers (0). Finance and support are peers: neither
 * manages the other. What a role may *call* is each procedure's role list;
 * whom it may act *on* is this rank.
 */
export const ADMIN_RANKS: Readonly<Record<AdminRole, number>> = {
  super_admin: 3,
  operations: 2,
  finance: 1,
  support: 1,
};

/**
 * The user an admin is about to act on, locked until the transaction ends, or a
 * refusal: 404 when there is no such user, 403 unless the caller's rank is above
 * the target's (so never an equal, never oneself). A staff account counts with
 * its role even while inactive — it can be made active again. The user row is
 * locked before the role is read, so a role change that locks it too cannot slip
 * between the check and the act.
 */
export async function lockUserBelow(tx: EntityManager, caller: AdminCaller, userId: string): Promise<User> {
  // `for no key update`, not `for update`: rows written for the user meanwhile (ledger entries,
  // sessions) take key-share locks on it through their foreign keys. A `for update` would make a
  // user's own debit — wallet row locked, then its ledger row inserted — wait for the admin, who
  // waits for that wallet row: a deadlock (10 staff debits racing the user's own ones hit it).
  await tx
    .getKysely<{ users: { id: string } }>()
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .forNoKeyUpdate()
    .execute();
  const user = await tx.findOne(User, { id: userId });
  if (!user || user.status === 'deleted') throw new DomainError('NOT_FOUND', 'no such user');
  const profile = await tx.findOne(AdminProfile, { user: userId }, { fields: ['role'] });
  const targetRank = profile ? ADMIN_RANKS[profile.role] : 0;
  if (targetRank >= ADMIN_RANKS[caller.role]) {
    throw new DomainError(
      'FORBIDDEN',
      profile?.id === caller.id
        ? 'staff cannot act on their own account'
        : `staff act only on users below their rank: ${caller.role} cannot act on ${profile?.role}`,
    );
  }
  return user;
}
