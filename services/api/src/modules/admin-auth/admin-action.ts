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
  /** Why the admin did it (the input's reason), kept in its own column. */
  reason?: string | null;
  /** Nothing changed (a retry of an applied request): no log row, the first one stands. */
  unchanged?: boolean;
}

/** Who acted, from where: the calling admin's profile id and client IP. */
export interface AdminActor {
  adminId: string;
  ip: string;
}

/**
 * Queues the AdminActionLog row of a change in `tx`'s unit of work: it is written by
 * the flush of the transaction that makes the change, and commits or rolls back with it.
 */
export function recordAdminAction(
  tx: EntityManager,
  actor: AdminActor,
  action: string,
  change: Omit<AdminChange<unknown>, 'result' | 'unchanged'>,
): void {
  tx.create(AdminActionLog, {
    admin: tx.getReference(AdminProfile, actor.adminId),
    action,
    targetType: change.targetType,
    targetId: change.targetId,
    before: change.before ?? null,
    after: change.after ?? null,
    reason: change.reason ?? null,
    ip: actor.ip.slice(0, 64),
  });
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
    if (change.unchanged) return change.result;
    recordAdminAction(tx, { adminId: ctx.admin.id, ip: ctx.client.ip }, action, change);
    await tx.flush();
    return change.result;
  });
}
