import { jsonArrayFrom, jsonObjectFrom, now, prepared, queryBuilder, sql } from '@powerbank/db';
import { IN_APP_NOTICE_COLUMNS, inAppNoticeValues } from '@powerbank/engagement';
import type { OrderState } from '@powerbank/machines';
import { itemsRentedQuery, PICKED_UP_NOTICE } from '@powerbank/market';

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

/** What a claim is bound to: the token's row as the signed claims name it, and the scanner. */
export interface ClaimParams {
  id: string;
  orderId: string;
  type: 'pickup' | 'return';
  digest: string;
  by: string;
}

/**
 * Single use: the token's row is marked verified only if it is the order's, of this type, with
 * this digest, unexpired and not verified yet — one conditional update, so of two scans (even
 * concurrent: the second re-checks `verified_at is null` after the first commits) one wins.
 * A statement of its own (`CLAIM_QR`, the return) and the first step of the pickup's `PICKUP_WRITE`.
 */
const claimQuery = (p: ClaimParams) =>
  queryBuilder
    .updateTable('handover_qr')
    .set({ verified_by_id: p.by, verified_at: now() })
    .where('id', '=', p.id)
    .where('order_id', '=', p.orderId)
    .where('type', '=', p.type)
    .where('qr_token', '=', p.digest)
    .where('verified_at', 'is', null)
    .where('expires_at', '>', now())
    .returning('id');

export const CLAIM_QR = prepared((_db, p: ClaimParams) => claimQuery(p));

/** What decides whether a token's row can be claimed (`claimRefusal`). */
const QR_FIELDS = ['q.order_id', 'q.type', 'q.qr_token', 'q.verified_at', 'q.expires_at'] as const;

/** Why a claim failed: the row as it is. */
export const QR_STATE = prepared((db, p: { id: string }) =>
  db.selectFrom('handover_qr as q').select(QR_FIELDS).where('q.id', '=', p.id),
);

/** `actual_at` of the order's appointment of this type, if it has one. */
const scheduleDoneQuery = (p: { orderId: string; type: 'pickup' | 'return' }) =>
  queryBuilder
    .updateTable('schedule')
    .set({ actual_at: now(), updated_at: now() })
    .where('order_id', '=', p.orderId)
    .where('type', '=', p.type);

export const MARK_SCHEDULE_DONE = prepared((_db, p: { orderId: string; type: 'pickup' | 'return' }) =>
  scheduleDoneQuery(p),
);

/**
 * The order fields a pickup reads (its answer and settlement), named rather than `*` (a prepared
 * `select *` fails on every connection that prepared it once a migration adds a column).
 */
const ORDER_FIELDS = [
  'o.id',
  'o.customer_id',
  'o.seller_id',
  'o.status',
  'o.total_amount',
  'o.deposit_amount',
  'o.held_amount',
  'o.currency',
  'o.start_ts',
  'o.end_ts',
  'o.reserved_until',
  'o.returned_at',
  'o.late_fee',
  'o.damage_charge',
  'o.captured_amount',
  'o.due_amount',
  'o.dispute_reason',
  'o.created_at',
] as const;

/**
 * The pickup's one read: the order under its row lock, whether the scanner is the seller's staff,
 * its lines and invoice (the answer), and the token's row (why a claim would fail) — one round
 * trip where the entity path takes four. Only the order is locked; the rest is read as of the
 * statement's start (a concurrent scan's claim, committed while this one waited for the lock, is
 * not seen here: the write's claim decides, and a refusal reads the token's row again).
 */
export const PICKUP_READ = prepared((db, p: { orderId: string; qrId: string; scannerId: string }) =>
  db
    .selectFrom('rental_order as o')
    .select(ORDER_FIELDS)
    .select((eb) => [
      eb
        .or([
          eb('o.seller_id', '=', p.scannerId),
          eb.exists(
            eb
              .selectFrom('seller_staff as st')
              .select('st.id')
              .whereRef('st.seller_id', '=', 'o.seller_id')
              .where('st.user_id', '=', p.scannerId),
          ),
        ])
        .as('is_staff'),
      jsonArrayFrom(
        eb
          .selectFrom('rental_order_item as l')
          .select([
            'l.product_id',
            'l.inventory_item_id',
            'l.return_condition',
            'l.damage_amount',
            'l.damage_reason',
            'l.damage_photos',
          ])
          .whereRef('l.order_id', '=', 'o.id')
          .orderBy('l.created_at', 'asc'),
      ).as('lines'),
      jsonObjectFrom(
        eb
          .selectFrom('invoice as v')
          .select(['v.id', 'v.lines', 'v.amount_due', 'v.amount_paid', 'v.status', 'v.due_date'])
          .whereRef('v.order_id', '=', 'o.id'),
      ).as('invoice'),
      jsonObjectFrom(eb.selectFrom('handover_qr as q').select(QR_FIELDS).where('q.id', '=', p.qrId)).as('qr'),
    ])
    .where('o.id', '=', p.orderId)
    .forUpdate('o'),
);

/** What the pickup's write is bound to: the claim, the machine's new status, and the rows it adds. */
export interface PickupWriteParams extends ClaimParams {
  /** The order machine's target for PICKED_UP. */
  status: OrderState;
  customerId: string;
  noticeId: string;
  noticePayload: Record<string, unknown>;
  dedupeKey: string;
  /** `order.<status>` and `handover.verified`: the transition's and the scan's log rows. */
  transitionEventId: string;
  transitionEventType: string;
  transitionMetadata: Record<string, unknown>;
  scanEventId: string;
  scanMetadata: Record<string, unknown>;
}

/**
 * The pickup's writes in one statement, each only if the token is claimed here (`c`): the token
 * marked verified (single use, as `CLAIM_QR`), the order's new status, its items rented
 * (`itemsRentedQuery`, the machine's `markItemsRented`), the appointment's `actual_at`, the
 * customer's notice (once per order: its dedupe key) and the two log rows. Answers the claimed
 * token's id: no row, nothing written. The caller holds the order's row lock.
 */
export const PICKUP_WRITE = prepared((db, p: PickupWriteParams) =>
  db
    .with('c', () => claimQuery(p))
    .with('o', (qc) =>
      qc
        .updateTable('rental_order')
        .set({ status: p.status, reserved_until: null, updated_at: now() })
        .where('id', '=', p.orderId)
        .where((eb) => eb.exists(qc.selectFrom('c').select('c.id'))),
    )
    .with('i', (qc) =>
      itemsRentedQuery(p.orderId).where((eb) => eb.exists(qc.selectFrom('c').select('c.id'))),
    )
    .with('s', (qc) =>
      scheduleDoneQuery({ orderId: p.orderId, type: p.type }).where((eb) =>
        eb.exists(qc.selectFrom('c').select('c.id')),
      ),
    )
    .with('n', (qc) =>
      qc
        .insertInto('notification')
        .columns(IN_APP_NOTICE_COLUMNS)
        .expression(
          qc.selectFrom('c').select(
            inAppNoticeValues({
              id: p.noticeId,
              userId: p.customerId,
              type: PICKED_UP_NOTICE.type,
              title: PICKED_UP_NOTICE.title,
              body: PICKED_UP_NOTICE.body,
              payload: p.noticePayload,
              dedupeKey: p.dedupeKey,
            }),
          ),
        )
        .onConflict((oc) =>
          oc.columns(['user_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing(),
        ),
    )
    .with('a', (qc) =>
      qc
        .insertInto('user_audit_log')
        .columns(['id', 'user_id', 'event_type', 'occurred_at', 'metadata'])
        .expression(
          qc
            .selectFrom('c')
            .select([
              sql<string>`${p.transitionEventId}::uuid`.as('id'),
              sql<string>`${p.by}::uuid`.as('user_id'),
              sql<string>`${p.transitionEventType}`.as('event_type'),
              now().as('occurred_at'),
              sql<unknown>`${p.transitionMetadata}::jsonb`.as('metadata'),
            ])
            .unionAll(
              qc
                .selectFrom('c')
                .select([
                  sql<string>`${p.scanEventId}::uuid`.as('id'),
                  sql<string>`${p.by}::uuid`.as('user_id'),
                  sql<string>`'handover.verified'`.as('event_type'),
                  now().as('occurred_at'),
                  sql<unknown>`${p.scanMetadata}::jsonb`.as('metadata'),
                ]),
            ),
        ),
    )
    .selectFrom('c')
    .select('c.id'),
);
