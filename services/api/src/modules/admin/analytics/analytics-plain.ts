import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '@powerbank/db';
import { numbersIn } from './analytics.service.ts';
import { REPORTS, type ReportName } from './analytics-reports.ts';

/**
 * Each analytics report computed the plain way: one aggregate query over the base tables
 * (rental, transactions, refund, users) for the range, with the views' own definitions, so
 * its rows equal the report's. What `bench:analytics` measures the views against, and what the
 * reports' integration test checks them against.
 * `$1`/`$2`: first and last UTC day; `$3`: the stations report's limit.
 */
const dayOf = (ts: string) => `(${ts} at time zone 'UTC')::date`;
const inRange = (ts: string) =>
  `${ts} >= $1::date::timestamp at time zone 'UTC' and ${ts} < ($2::date + 1)::timestamp at time zone 'UTC'`;
const PAID = 'coalesce(t.paid_at, t.created_at)';
const REVENUE = `from transactions t join rental r on r.id = t.rental_id
  where t.status = 'succeeded' and t.type in ('rental', 'extension', 'due', 'fine') and ${inRange(PAID)}`;
const RENTAL_END = `coalesce(r.returned_at, case when r.status in ('active', 'overdue') then now() end, r.due_at, r.started_at)`;

export const PLAIN_REPORTS: Record<ReportName, string> = {
  revenueByDay: `select ${dayOf(PAID)}::text as day, t.currency, count(*)::int as payments, sum(t.amount)::int8 as amount
    ${REVENUE} group by 1, 2 order by 1, 2`,
  revenueByPackage: `select r.package_id, p.code as package_code, p.name as package_name, t.currency,
           count(*)::int as payments, sum(t.amount)::int8 as amount
    ${REVENUE.replace('join rental r on r.id = t.rental_id', 'join rental r on r.id = t.rental_id join rental_package p on p.id = r.package_id')}
    group by r.package_id, p.code, p.name, t.currency order by amount desc, package_code, t.currency`,
  revenueByPaymentMode: `select r.payment_mode, t.currency, count(*)::int as payments, sum(t.amount)::int8 as amount
    ${REVENUE} group by 1, 2 order by 1, 2`,
  stations: `with facts as (
      select r.start_station_id as station_id, r.currency, 1 as rentals,
             greatest(0, extract(epoch from ${RENTAL_END} - r.started_at))::bigint as rental_seconds,
             0 as payments, 0::bigint as amount
        from rental r where ${inRange('r.started_at')}
      union all
      select r.start_station_id, t.currency, 0, 0, 1, t.amount ${REVENUE}),
    top as (select station_id, currency, sum(rentals)::int as rentals, sum(payments)::int as payments,
                   sum(amount)::int8 as amount, sum(rental_seconds)::int8 as rental_seconds
              from facts group by station_id, currency order by amount desc, rentals desc, station_id limit $3)
    select top.station_id, s.serial_number, s.name, top.currency, top.rentals, top.payments, top.amount,
           (top.rental_seconds / 60)::int8 as rental_minutes,
           round(top.rental_seconds * 10000.0 / (s.slot_count * 86400.0 * ($2::date - $1::date + 1)))::int as utilisation_bp,
           round(up.online * 10000.0 / nullif(up.observed, 0))::int as uptime_bp
      from top join station s on s.id = top.station_id
      left join lateral (select sum(online_seconds) as online, sum(observed_seconds) as observed
                           from station_uptime_day u
                          where u.station_id = top.station_id and u.day between $1::date and $2::date) up on true
     order by top.amount desc, top.rentals desc, top.station_id`,
  rentals: `select day::text as day, sum(started)::int as started, sum(completed)::int as completed,
           sum(failed)::int as failed, sum(late)::int as late, sum(lost)::int as lost
      from (select ${dayOf('started_at')} as day, 1 as started, 0 as completed, 0 as failed, 0 as late, 0 as lost
              from rental where ${inRange('started_at')}
            union all
            select ${dayOf('returned_at')}, 0, 1, 0, 0, 0
              from rental where ${inRange('returned_at')} and status in ('returned', 'settled')
            union all
            select ${dayOf('created_at')}, 0, 0, 1, 0, 0 from rental where ${inRange('created_at')} and status in ('failed', 'cancelled')
            union all
            select ${dayOf('due_at')}, 0, 0, 0, 1, 0 from rental
             where ${inRange('due_at')} and coalesce(returned_at, now()) > due_at
               and status in ('active', 'overdue', 'returned', 'settled')
            union all
            select ${dayOf('coalesce(due_at, started_at, created_at)')}, 0, 0, 0, 0, 1
              from rental where status = 'lost' and ${inRange('coalesce(due_at, started_at, created_at)')}) as events
     group by day order by day`,
  activeUsers: `select day::text as day, count(distinct user_id) filter (where user_id is not null)::int as active_users,
           count(*) filter (where user_id is null)::int as new_users
      from (select ${dayOf('started_at')} as day, user_id from rental where ${inRange('started_at')}
            union all
            select ${dayOf('coalesce(paid_at, created_at)')}, user_id from transactions
             where type = 'topup' and status = 'succeeded' and ${inRange('coalesce(paid_at, created_at)')}
            union all
            select ${dayOf('created_at')}, null from users where ${inRange('created_at')}) as activity
     group by day order by day`,
  topUpsAndRefunds: `select day::text as day, currency, sum(topups)::int as topups, sum(topup_amount)::int8 as topup_amount,
           sum(refunds)::int as refunds, sum(refund_amount)::int8 as refund_amount
      from (select ${dayOf('coalesce(paid_at, created_at)')} as day, currency, 1 as topups, amount as topup_amount,
                   0 as refunds, 0::bigint as refund_amount
              from transactions where type = 'topup' and status = 'succeeded' and ${inRange('coalesce(paid_at, created_at)')}
            union all
            select ${dayOf('coalesce(processed_at, updated_at)')}, currency, 0, 0, 1, amount
              from refund where status = 'processed' and ${inRange('coalesce(processed_at, updated_at)')}) as money
     group by day, currency order by day, currency`,
  dues: `select ${dayOf('coalesce(started_at, created_at)')}::text as day, currency, count(*)::int as rentals,
           sum(due_amount)::int8 as due_amount
      from rental where due_amount > 0 and ${inRange('coalesce(started_at, created_at)')}
     group by 1, 2 order by 1, 2`,
};

/**
 * A report's rows computed the plain way, for `input` (its range, and the stations report's
 * limit), numbers read as a report's answer reads them.
 */
export async function plainReport(
  em: EntityManager,
  name: ReportName,
  input: { from: string; to: string; limit?: number },
): Promise<Record<string, unknown>[]> {
  const values = name === 'stations' ? [input.from, input.to, input.limit ?? 100] : [input.from, input.to];
  return numbersIn(
    REPORTS[name].row,
    await sqlRows<Record<string, unknown>>(em, PLAIN_REPORTS[name], values),
  );
}
