import { now, prepared } from '@powerbank/db';

/**
 * The QR handover's own statements, compiled once (the typed query layer): the hot path of a
 * scan, and what `bench:handover`'s raw pgbench script is derived from (`textWith`).
 */

/**
 * The order under its row lock, every column: mapped onto the entity (`em.map`) for the order
 * machine, so the lock is a prepared statement rather than a query the ORM builds and Postgres
 * plans on every scan.
 */
export const LOCK_ORDER = prepared((db, p: { id: string }) =>
  db.selectFrom('rental_order').selectAll().where('id', '=', p.id).forUpdate(),
);

/** The order's lines, every column, oldest first: the return's inspection and the scan's answer. */
export const ORDER_LINES = prepared((db, p: { orderId: string }) =>
  db
    .selectFrom('rental_order_item')
    .selectAll()
    .where('order_id', '=', p.orderId)
    .orderBy('created_at', 'asc'),
);

/** The seller's staff: the seller, or a user the seller added (seller_staff). */
export const IS_STAFF = prepared((db, p: { sellerId: string; userId: string }) =>
  db
    .selectFrom('seller_staff')
    .select('id')
    .where('seller_id', '=', p.sellerId)
    .where('user_id', '=', p.userId)
    .limit(1),
);

/**
 * Single use: the token's row is marked verified only if it is the order's, of this type, with
 * this digest, unexpired and not verified yet — one conditional update, so of two scans (even
 * concurrent: the second re-checks `verified_at is null` after the first commits) one wins.
 */
export const CLAIM_QR = prepared(
  (db, p: { id: string; orderId: string; type: 'pickup' | 'return'; digest: string; by: string }) =>
    db
      .updateTable('handover_qr')
      .set({ verified_by_id: p.by, verified_at: now() })
      .where('id', '=', p.id)
      .where('order_id', '=', p.orderId)
      .where('type', '=', p.type)
      .where('qr_token', '=', p.digest)
      .where('verified_at', 'is', null)
      .where('expires_at', '>', now())
      .returning('id'),
);

/** Why a claim failed: the row as it is. */
export const QR_STATE = prepared((db, p: { id: string }) =>
  db.selectFrom('handover_qr').select(['verified_at', 'expires_at', 'order_id']).where('id', '=', p.id),
);

/** `actual_at` of the order's appointment of this type, if it has one. */
export const MARK_SCHEDULE_DONE = prepared((db, p: { orderId: string; type: 'pickup' | 'return' }) =>
  db
    .updateTable('schedule')
    .set({ actual_at: now(), updated_at: now() })
    .where('order_id', '=', p.orderId)
    .where('type', '=', p.type),
);
