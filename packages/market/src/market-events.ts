import type { EntityManager } from '@mikro-orm/postgresql';
import { Product, User, UserAuditLog } from '@powerbank/db';

/**
 * The marketplace seed's `events` log lives in `user_audit_log` (docs/data-model.md): one row per
 * order transition (`order.reserved`, `order.confirmed`…) and catalogue change (`product.created`…),
 * written by the caller's flush so it commits or rolls back with the change it records.
 */
export function marketEvent(
  em: EntityManager,
  eventType: string,
  by: { userId: string | null; productId?: string | null },
  metadata: Record<string, unknown> = {},
): void {
  em.create(UserAuditLog, {
    user: by.userId ? em.getReference(User, by.userId) : null,
    product: by.productId ? em.getReference(Product, by.productId) : null,
    eventType,
    metadata,
  });
}

/** The log filtered by product and/or user (sellers see their own products' only; admins any), newest first. */
export async function listMarketEvents(
  em: EntityManager,
  filter: { productId?: string; userId?: string; limit: number },
) {
  const rows = await em.find(
    UserAuditLog,
    {
      ...(filter.productId ? { product: filter.productId } : {}),
      ...(filter.userId ? { user: filter.userId } : {}),
      $or: [{ eventType: { $like: 'order.%' } }, { product: { $ne: null } }],
    },
    { orderBy: { occurredAt: 'desc', id: 'desc' }, limit: filter.limit },
  );
  return {
    results: rows.map((r) => ({
      id: r.id,
      event_type: r.eventType,
      user_id: r.user?.id ?? null,
      product_id: r.product?.id ?? null,
      occurred_at: r.occurredAt,
      metadata: r.metadata ?? null,
    })),
  };
}
