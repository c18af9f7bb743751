import type { EntityManager } from '@mikro-orm/postgresql';
import { User, UserAuditLog } from '@powerbank/db';
import type { ClientInfo } from '../../trpc/context.ts';

/**
 * One row of the user's action trail (auth.login, profile.update…), persisted by
 * the caller's flush so it commits or rolls back with the change it describes.
 * Metadata names what changed, never personal values.
 */
export function auditUser(
  em: EntityManager,
  userId: string,
  eventType: string,
  client: ClientInfo,
  metadata?: Record<string, unknown>,
): void {
  em.create(UserAuditLog, {
    user: em.getReference(User, userId),
    eventType,
    ip: client.ip.slice(0, 64),
    userAgent: client.userAgent,
    metadata: metadata ?? null,
  });
}
