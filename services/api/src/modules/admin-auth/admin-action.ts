import type { EntityManager } from '@mikro-orm/postgresql';
import { AdminActionLog, AdminProfile } from '@powerbank/db';
import type { AdminRole } from '../../platform/session.ts';
import type { Context } from '../../trpc/context.ts';

/** The calling admin: their AdminProfile id and role. */
export interface AdminCaller {
  id: string;
  role: AdminRole;
}

export interface AdminChange<T> {
  /** What the procedure returns. */
  result: T;
  targetType: string;
  targetId: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Runs an admin mutation in one transaction together with its AdminActionLog
 * row: the change and the record of who made it commit or roll back as one.
 * Every admin mutation goes through here.
 */
export function adminMutation<T>(
  ctx: Context & { admin: AdminCaller },
  action: string,
  work: (tx: EntityManager) => Promise<AdminChange<T>>,
): Promise<T> {
  return ctx.em.transactional(async (tx) => {
    const change = await work(tx);
    tx.create(AdminActionLog, {
      admin: tx.getReference(AdminProfile, ctx.admin.id),
      action,
      targetType: change.targetType,
      targetId: change.targetId,
      before: change.before ?? null,
      after: change.after ?? null,
      ip: ctx.client.ip.slice(0, 64),
    });
    await tx.flush();
    return change.result;
  });
}
