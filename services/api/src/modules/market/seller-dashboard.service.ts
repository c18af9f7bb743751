import type { EntityManager } from '@mikro-orm/postgresql';
import { ORDER_STATUSES, type OrderStatus } from '@powerbank/domain';
import { sql } from 'kysely';
import { marketDb } from './market-db.ts';

const DAY = 86_400_000;
const utcDay = (d: Date) => d.toISOString().slice(0, 10);
const count = (value: unknown) => Number(value ?? 0);

/**
 * The seller's pickups and returns from today (UTC) through `days` days, by day: pickups of paid
 * orders (`confirmed`) and returns of orders out (`active`) — an overdue return shows on its own
 * (past) day. A handover's time is its schedule's slot when one is set, else the order's start or end.
 */
export async function upcomingHandovers(em: EntityManager, sellerId: string, days: number, now = new Date()) {
  const from = new Date(Math.floor(now.getTime() / DAY) * DAY);
  const to = new Date(from.getTime() + days * DAY);
  const db = marketDb(em);
  const slot = (type: 'pickup' | 'return', fallback: 'o.start_ts' | 'o.end_ts') =>
    db
      .selectFrom('rental_order as o')
      .leftJoin('schedule as s', (join) => join.onRef('s.order_id', '=', 'o.id').on('s.type', '=', type))
      .select((eb) => [
        'o.id as order_id',
        eb.val(type).as('type'),
        eb.fn.coalesce('s.scheduled_for', fallback).as('at'),
        eb
          .selectFrom('rental_order_item as i')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('i.order_id', '=', 'o.id')
          .as('items'),
      ])
      .where('o.seller_id', '=', sellerId)
      .where('o.status', '=', type === 'pickup' ? 'confirmed' : 'active');
  const rows = await db
    .selectFrom(slot('pickup', 'o.start_ts').unionAll(slot('return', 'o.end_ts')).as('h'))
    .selectAll()
    .where('h.at', '<', to)
    // Pickups from today on; returns also when overdue (the items are still out).
    .where((eb) => eb.or([eb('h.at', '>=', from), eb('h.type', '=', 'return')]))
    .orderBy('h.at')
    .limit(1000)
    .execute();
  const byDay = new Map<string, { date: string; pickups: number; returns: number; handovers: unknown[] }>();
  for (const row of rows) {
    const at = new Date(row.at as Date);
    const date = utcDay(at);
    const day = byDay.get(date) ?? { date, pickups: 0, returns: 0, handovers: [] };
    if (row.type === 'pickup') day.pickups++;
    else day.returns++;
    day.handovers.push({
      order_id: row.order_id,
      type: row.type,
      at,
      items: count(row.items),
      overdue: at.getTime() < now.getTime(),
    });
    byDay.set(date, day);
  }
  return { days: [...byDay.values()] } as {
    days: {
      date: string;
      pickups: number;
      returns: number;
      handovers: { order_id: string; type: 'pickup' | 'return'; at: Date; items: number; overdue: boolean }[];
    }[];
  };
}

/** The seller's orders counted by status (every status, zeros included). */
export async function ordersByStatus(em: EntityManager, sellerId: string) {
  const rows = await marketDb(em)
    .selectFrom('rental_order')
    .select((eb) => ['status', eb.fn.countAll<string>().as('n')])
    .where('seller_id', '=', sellerId)
    .groupBy('status')
    .execute();
  const counts = new Map(rows.map((r) => [r.status as OrderStatus, count(r.n)]));
  return { results: ORDER_STATUSES.map((status) => ({ status, count: counts.get(status) ?? 0 })) };
}

/**
 * Revenue by UTC month over the last `months` months, from the seller ledger (what the balance
 * actually received): gross revenue, the commission taken, net, and how many orders.
 */
export async function revenueByMonth(em: EntityManager, sellerId: string, months: number, now = new Date()) {
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1));
  const month = sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM')`;
  const sumOf = (type: 'order_revenue' | 'commission') =>
    sql<string>`coalesce(sum(abs(amount)) filter (where type = ${type}), 0)`;
  const db = marketDb(em);
  const [rows, account] = await Promise.all([
    db
      .selectFrom('seller_account_entry')
      .select([
        month.as('month'),
        sumOf('order_revenue').as('gross'),
        sumOf('commission').as('commission'),
        sql<string>`count(*) filter (where type = 'order_revenue')`.as('orders'),
      ])
      .where('user_id', '=', sellerId)
      .where('created_at', '>=', since)
      .where('type', 'in', ['order_revenue', 'commission'])
      .groupBy(month)
      .orderBy(month)
      .execute(),
    db.selectFrom('seller_account').select('currency').where('user_id', '=', sellerId).executeTakeFirst(),
  ]);
  return {
    currency: account?.currency ?? 'USD',
    months: rows.map((r) => ({
      month: r.month,
      orders: count(r.orders),
      gross: count(r.gross),
      commission: count(r.commission),
      net: count(r.gross) - count(r.commission),
    })),
  };
}

/** The seller's items out now (their orders picked up and not back), the most overdue first. */
export async function itemsOut(em: EntityManager, sellerId: string, now = new Date()) {
  const rows = await marketDb(em)
    .selectFrom('rental_order as o')
    .innerJoin('rental_order_item as l', 'l.order_id', 'o.id')
    .innerJoin('inventory_item as i', 'i.id', 'l.inventory_item_id')
    .innerJoin('product as p', 'p.id', 'l.product_id')
    .leftJoin('schedule as s', (join) => join.onRef('s.order_id', '=', 'o.id').on('s.type', '=', 'pickup'))
    .select((eb) => [
      'i.id as item_id',
      'i.sku',
      'p.id as product_id',
      'p.title',
      'o.id as order_id',
      'o.customer_id',
      eb.fn.coalesce('s.actual_at', 'o.start_ts').as('since'),
      'o.end_ts as due_back',
    ])
    .where('o.seller_id', '=', sellerId)
    .where('o.status', '=', 'active')
    .orderBy('o.end_ts')
    .limit(1000)
    .execute();
  return {
    results: rows.map((r) => ({
      ...r,
      since: new Date(r.since as Date),
      due_back: new Date(r.due_back),
      overdue: new Date(r.due_back).getTime() < now.getTime(),
    })),
  };
}
