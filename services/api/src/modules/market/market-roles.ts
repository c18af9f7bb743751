import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User, UserRole } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { authedProcedure } from '../../trpc/trpc.ts';
import type { RoleOutput } from './market.schemas.ts';

const roleOutput = (r: UserRole): RoleOutput => ({
  user_id: r.user.id,
  role: r.role,
  description: r.description ?? null,
  approved: r.approvedAt != null,
  created_at: r.createdAt,
});

async function isApprovedSeller(em: EntityManager, userId: string): Promise<boolean> {
  const count = await em.count(UserRole, { user: userId, role: 'seller', approvedAt: { $ne: null } });
  return count > 0;
}

/** A signed-in user an admin approved as a seller; anyone else is 403. Seller procedures then own only their rows. */
export const sellerProcedure = authedProcedure.use(async ({ ctx, next }) => {
  if (!(await isApprovedSeller(ctx.em, ctx.auth.user.id))) {
    throw new DomainError(
      'FORBIDDEN',
      'only approved sellers can do this: apply with POST /api/market/seller/apply',
    );
  }
  return next();
});

/** The user's marketplace roles; every signed-in user is a customer. */
export async function myRoles(em: EntityManager, userId: string) {
  const rows = await em.find(UserRole, { user: userId }, { orderBy: { createdAt: 'asc' } });
  return { results: rows.map(roleOutput) };
}

/** Applies to be a seller; applying again answers the same application. */
export async function applyAsSeller(em: EntityManager, userId: string, description: string) {
  await em.upsert(
    UserRole,
    { user: em.getReference(User, userId), role: 'seller', description },
    { onConflictFields: ['user', 'role'], onConflictAction: 'ignore' },
  );
  const row = await em.findOneOrFail(UserRole, { user: userId, role: 'seller' });
  return roleOutput(row);
}

export async function pendingSellerApplications(em: EntityManager) {
  const rows = await em.find(
    UserRole,
    { role: 'seller', approvedAt: null },
    { orderBy: { createdAt: 'asc' }, limit: 200 },
  );
  return { results: rows.map(roleOutput) };
}

/** Approves a pending application (approving twice answers the approved role). */
export async function approveSeller(em: EntityManager, userId: string) {
  const row = await em.findOne(
    UserRole,
    { user: userId, role: 'seller' },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!row) throw new DomainError('NOT_FOUND', 'this user has not applied to be a seller');
  const before = roleOutput(row);
  row.approvedAt ??= new Date();
  await em.flush();
  return { before, after: roleOutput(row) };
}
