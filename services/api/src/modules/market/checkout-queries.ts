import { configObject, jsonArrayFrom, now, prepared, recordset, sql } from '@powerbank/db';
import { freeItemsQuery } from './order-availability.ts';
import { livePlansQuery } from './subscription-discount.ts';

/** What the checkout's read is bound to. */
export interface CheckoutReadParams {
  productId: string;
  customerId: string;
  start: Date;
  end: Date;
  quantity: number;
  /** The time the customer's subscriptions must be live at. */
  at: Date;
  configKeys: readonly string[];
}

/**
 * The checkout's one read, inside its transaction: the active product's pricing, the marketplace
 * settings (`configObject`: no round trip of their own), up to `quantity` free items and the
 * customer's live discount plans. No row: no such active product.
 *
 * The free items are locked (`for no key update`: the lines' foreign keys still take their
 * key-share locks): checkouts racing for one item queue on its row instead of both inserting a
 * line and each waiting for the other's at the exclusion constraint — a deadlock Postgres breaks
 * only after `deadlock_timeout`, which 1,000 concurrent checkouts for the last item met hundreds of
 * times. A waiter's read still returns the item (its snapshot predates the winner's commit); its
 * insert then meets the committed line at once, and the checkout reads again (409 or another item).
 */
export const CHECKOUT_READ = prepared((db, p: CheckoutReadParams) =>
  db
    .selectFrom('product as p')
    .select([
      'p.seller_id',
      'p.category_id',
      'p.pricing_unit',
      'p.base_price',
      'p.deposit',
      'p.min_units',
      'p.max_units',
      'p.currency',
      configObject(p.configKeys).as('config'),
      sql<string[]>`array(${freeItemsQuery(p).forNoKeyUpdate()})`.as('items'),
      jsonArrayFrom(livePlansQuery(p.customerId, p.at)).as('plans'),
    ])
    .where('p.id', '=', p.productId)
    .where('p.active', '=', true),
);

/** What the reservation's insert is bound to (money in minor units). */
export interface ReserveOrderParams {
  orderId: string;
  customerId: string;
  sellerId: string;
  status: 'reserved';
  totalAmount: number;
  depositAmount: number;
  currency: string;
  start: Date;
  end: Date;
  reservedUntil: Date;
  idempotencyKey: string;
  productId: string;
  unitPrice: number;
  /** Each line's rent (unit price × units). */
  lineAmount: number;
  /** The lines, `[{ id, item }]` as JSON text: one per item (`recordset`). */
  lines: string;
  invoiceId: string;
  /** The invoice's lines as JSON text. */
  invoiceLines: string;
  dueDate: string;
  eventId: string;
  eventMetadata: Record<string, unknown>;
}

/**
 * The reservation in one statement: the order, one line per item carrying the period the
 * exclusion constraint checks (a double booking fails this statement, before any money moves),
 * the invoice, and the `order.reserved` event. Every data-modifying CTE runs once whether read or
 * not; the lines' and invoice's foreign keys to the order are checked at the statement's end.
 * Answers the order's `created_at`.
 */
export const RESERVE_ORDER = prepared((db, p: ReserveOrderParams) =>
  db
    .with('o', (w) =>
      w
        .insertInto('rental_order')
        .values({
          id: p.orderId,
          customer_id: p.customerId,
          seller_id: p.sellerId,
          status: p.status,
          total_amount: p.totalAmount,
          deposit_amount: p.depositAmount,
          held_amount: 0,
          currency: p.currency,
          start_ts: p.start,
          end_ts: p.end,
          reserved_until: p.reservedUntil,
          idempotency_key: p.idempotencyKey,
          late_fee: 0,
          damage_charge: 0,
          captured_amount: 0,
          due_amount: 0,
          created_at: now(),
          updated_at: now(),
        })
        .returning(['id', 'created_at']),
    )
    .with('l', (w) =>
      w
        .insertInto('rental_order_item')
        .columns([
          'id',
          'order_id',
          'product_id',
          'inventory_item_id',
          'quantity',
          'unit_price',
          'amount',
          'start_ts',
          'end_ts',
          'blocking',
          'damage_amount',
          'created_at',
        ])
        .expression((eb) =>
          eb
            .selectFrom(recordset(p.lines, 'x', { id: 'uuid', item: 'uuid' }))
            .select([
              'x.id',
              sql<string>`${p.orderId}::uuid`.as('order_id'),
              sql<string>`${p.productId}::uuid`.as('product_id'),
              'x.item',
              sql<number>`1`.as('quantity'),
              sql<number>`${p.unitPrice}::bigint`.as('unit_price'),
              sql<number>`${p.lineAmount}::bigint`.as('amount'),
              sql<Date>`${p.start}::timestamptz`.as('start_ts'),
              sql<Date>`${p.end}::timestamptz`.as('end_ts'),
              sql<boolean>`true`.as('blocking'),
              sql<number>`0`.as('damage_amount'),
              now().as('created_at'),
            ]),
        )
        .returning('id'),
    )
    .with('i', (w) =>
      w
        .insertInto('invoice')
        .values({
          id: p.invoiceId,
          order_id: p.orderId,
          lines: sql`${p.invoiceLines}::jsonb`,
          amount_due: p.totalAmount,
          amount_paid: 0,
          currency: p.currency,
          status: 'issued',
          due_date: p.dueDate,
          issued_at: now(),
          created_at: now(),
          updated_at: now(),
        })
        .returning('id'),
    )
    .insertInto('user_audit_log')
    .values({
      id: p.eventId,
      user_id: p.customerId,
      product_id: p.productId,
      event_type: 'order.reserved',
      occurred_at: now(),
      metadata: p.eventMetadata,
    })
    .returning((eb) => [eb.selectFrom('o').select('o.created_at').as('created_at')]),
);
