import { Migration } from '@mikro-orm/migrations';
import { STATION_DAILY, stationViewStatements } from './Migration20261204233000_analytics_views.ts';

/** A period's figures summed from the daily ones, under the period's first day. */
const rollup = (period: 'week' | 'month') => `
  select '${period}'::text, date_trunc('${period}', day::timestamp)::date, station_id, currency,
         sum(rentals)::int, sum(rental_seconds)::bigint, sum(payments)::int, sum(amount)::bigint
    from daily group by 2, 3, 4`;

/**
 * The stations report over any range (not only whole months): one view of every station's
 * figures per UTC day, per ISO week (from its Monday) and per calendar month, each period in
 * the order the report ranks stations (`analytics_station_period_top`: amount, rentals, station).
 * A range is cut into whole months, then whole weeks, then days; the report reads the top of
 * each period's list and stops once no station it has not read could reach its page
 * (services/api, modules/admin/analytics/station-ranking.ts). Replaces analytics_station_daily
 * and analytics_station_monthly, whose rows are this view's `day` and `month` periods.
 */
export class Migration20261205011928_analytics_station_periods extends Migration {
  override name = 'Migration20261205011928_analytics_station_periods';

  override up(): void | Promise<void> {
    this.addSql(`drop materialized view if exists analytics_station_monthly;`);
    this.addSql(`drop materialized view if exists analytics_station_daily;`);
    this.addSql(`create materialized view analytics_station_period as
      with daily as (${STATION_DAILY})
      select 'day'::text as period, day as first_day, station_id, currency,
             rentals, rental_seconds, payments, amount
        from daily
      union all ${rollup('week')}
      union all ${rollup('month')};`);
    this.addSql(
      `create unique index analytics_station_period_key on analytics_station_period (period, first_day, station_id, currency);`,
    );
    this.addSql(
      `create index analytics_station_period_top on analytics_station_period (period, first_day, amount desc, rentals desc, station_id);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop materialized view if exists analytics_station_period;`);
    for (const statement of stationViewStatements()) this.addSql(statement);
  }
}
