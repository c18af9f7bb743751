import { Migration } from '@mikro-orm/migrations';

/** A timestamp column's UTC day: every view groups by it, so a day means the same everywhere. */
const utcDay = (column: string) => `(${column} at time zone 'UTC')::date`;

/** Rental payments that count as revenue: succeeded charges of a rental (not top-ups, refunds or orders). */
const RENTAL_REVENUE = `from transactions t join rental r on r.id = t.rental_id
  where t.status = 'succeeded' and t.type in ('rental', 'extension', 'due', 'fine')`;

/**
 * When a rental's power bank stopped being out: its return; for an open rental the refresh; for
 * one that ended otherwise (lost, failed) its due time, else nothing.
 */
const RENTAL_END = `coalesce(r.returned_at, case when r.status in ('active', 'overdue') then now() end, r.due_at, r.started_at)`;

/**
 * Per station and UTC day: rentals started there and their time out (RENTAL_END), and the
 * revenue of the rentals started there.
 */
export const STATION_DAILY = `select day, station_id, currency, sum(rentals)::int as rentals, sum(rental_seconds)::bigint as rental_seconds,
             sum(payments)::int as payments, sum(amount)::bigint as amount
        from (select ${utcDay('r.started_at')} as day, r.start_station_id as station_id, r.currency, 1 as rentals,
                     greatest(0, extract(epoch from ${RENTAL_END} - r.started_at))::bigint as rental_seconds,
                     0 as payments, 0::bigint as amount
                from rental r where r.started_at is not null
              union all
              select ${utcDay('coalesce(t.paid_at, t.created_at)')}, r.start_station_id, t.currency, 0, 0, 1, t.amount
                ${RENTAL_REVENUE}) as facts
       group by 1, 2, 3`;

/**
 * The station views this migration made: per day, and per calendar month for whole months.
 * Migration20261205011928_analytics_station_periods replaced them with one view per period and
 * makes them again on its way down.
 */
export const stationViewStatements = () => [
  `create materialized view analytics_station_daily as ${STATION_DAILY};`,
  `create unique index analytics_station_daily_key on analytics_station_daily (day, station_id, currency);`,
  `create materialized view analytics_station_monthly as
      select date_trunc('month', day)::date as month, station_id, currency, sum(rentals)::int as rentals,
             sum(rental_seconds)::bigint as rental_seconds, sum(payments)::int as payments, sum(amount)::bigint as amount
        from analytics_station_daily
       group by 1, 2, 3;`,
  `create unique index analytics_station_monthly_key on analytics_station_monthly (month, station_id, currency);`,
  `create index analytics_station_monthly_top on analytics_station_monthly (month, amount desc, rentals desc, station_id);`,
];

/**
 * The analytics reports' materialised views (services/api, modules/admin/analytics): one
 * row per UTC day and dimension, so a report over a date range reads a few rows per day
 * instead of the rentals and transactions. Refreshed `concurrently` by the analytics job
 * (`refreshAnalytics`), which needs a unique index on each; StationUptimeDay is the table
 * the same job samples station status into.
 *
 * Hand-written in part: the station_uptime_day table is the generator's; the views are not
 * entities (the schema diff does not see them).
 */
export class Migration20261204233000_analytics_views extends Migration {
  override name = 'Migration20261204233000_analytics_views';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "station_uptime_day" ("station_id" uuid not null, "day" date not null, "observed_seconds" int not null default 0, "online_seconds" int not null default 0, "last_observed_at" timestamptz not null, primary key ("station_id", "day"));`,
    );
    this.addSql(
      `alter table "station_uptime_day" add constraint "station_uptime_day_station_id_foreign" foreign key ("station_id") references "station" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "station_uptime_day" add constraint "station_uptime_day_seconds_range" check (online_seconds >= 0 and online_seconds <= observed_seconds);`,
    );

    // When the views were last refreshed: every report says how fresh its figures are.
    this.addSql(`create materialized view analytics_refreshed as select now() as refreshed_at;`);
    this.addSql(`create unique index analytics_refreshed_key on analytics_refreshed (refreshed_at);`);

    // Revenue by day, package and payment mode (the rental's), per currency.
    this.addSql(`create materialized view analytics_revenue_daily as
      select ${utcDay('coalesce(t.paid_at, t.created_at)')} as day, r.package_id, r.payment_mode, t.currency,
             count(*)::int as payments, sum(t.amount)::bigint as amount
        ${RENTAL_REVENUE}
       group by 1, 2, 3, 4;`);
    this.addSql(
      `create unique index analytics_revenue_daily_key on analytics_revenue_daily (day, package_id, payment_mode, currency);`,
    );

    for (const statement of stationViewStatements()) this.addSql(statement);

    // Rentals by day, each counted on the day of its event: started, completed (returned),
    // failed (failed or cancelled before a power bank came out), late (due that day and
    // returned after, or still out), lost (on its due day; counted as lost, not also as late).
    this.addSql(`create materialized view analytics_rentals_daily as
      select day, sum(started)::int as started, sum(completed)::int as completed, sum(failed)::int as failed,
             sum(late)::int as late, sum(lost)::int as lost
        from (select ${utcDay('started_at')} as day, 1 as started, 0 as completed, 0 as failed, 0 as late, 0 as lost
                from rental where started_at is not null
              union all
              select ${utcDay('returned_at')}, 0, 1, 0, 0, 0
                from rental where returned_at is not null and status in ('returned', 'settled')
              union all
              select ${utcDay('created_at')}, 0, 0, 1, 0, 0 from rental where status in ('failed', 'cancelled')
              union all
              select ${utcDay('due_at')}, 0, 0, 0, 1, 0
                from rental
               where due_at is not null and coalesce(returned_at, now()) > due_at
                 and status in ('active', 'overdue', 'returned', 'settled')
              union all
              select ${utcDay('coalesce(due_at, started_at, created_at)')}, 0, 0, 0, 0, 1
                from rental where status = 'lost') as events
       group by 1;`);
    this.addSql(`create unique index analytics_rentals_daily_key on analytics_rentals_daily (day);`);

    // Active users by day: distinct users who started a rental or topped up, and new sign-ups.
    this.addSql(`create materialized view analytics_users_daily as
      select day, count(distinct user_id) filter (where user_id is not null)::int as active_users,
             count(*) filter (where user_id is null)::int as new_users
        from (select ${utcDay('started_at')} as day, user_id from rental where started_at is not null
              union all
              select ${utcDay('coalesce(paid_at, created_at)')}, user_id
                from transactions where type = 'topup' and status = 'succeeded'
              union all
              select ${utcDay('created_at')}, null from users) as activity
       group by 1;`);
    this.addSql(`create unique index analytics_users_daily_key on analytics_users_daily (day);`);

    // Money in and back by day: succeeded top-ups, and refunds paid out (on their processing day).
    this.addSql(`create materialized view analytics_money_daily as
      select day, currency, sum(topups)::int as topups, sum(topup_amount)::bigint as topup_amount,
             sum(refunds)::int as refunds, sum(refund_amount)::bigint as refund_amount
        from (select ${utcDay('coalesce(paid_at, created_at)')} as day, currency, 1 as topups, amount as topup_amount,
                     0 as refunds, 0::bigint as refund_amount
                from transactions where type = 'topup' and status = 'succeeded'
              union all
              select ${utcDay('coalesce(processed_at, updated_at)')}, currency, 0, 0, 1, amount
                from refund where status = 'processed') as money
       group by 1, 2;`);
    this.addSql(`create unique index analytics_money_daily_key on analytics_money_daily (day, currency);`);

    // Dues still owed at the refresh, by the day the rental started (or was made).
    this.addSql(`create materialized view analytics_dues_daily as
      select ${utcDay('coalesce(started_at, created_at)')} as day, currency, count(*)::int as rentals,
             sum(due_amount)::bigint as due_amount
        from rental where due_amount > 0
       group by 1, 2;`);
    this.addSql(`create unique index analytics_dues_daily_key on analytics_dues_daily (day, currency);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop materialized view if exists analytics_station_monthly;`);
    for (const view of ['dues', 'money', 'users', 'rentals', 'station', 'revenue']) {
      this.addSql(`drop materialized view if exists analytics_${view}_daily;`);
    }
    this.addSql(`drop materialized view if exists analytics_refreshed;`);
    this.addSql(`drop table if exists "station_uptime_day" cascade;`);
  }
}
