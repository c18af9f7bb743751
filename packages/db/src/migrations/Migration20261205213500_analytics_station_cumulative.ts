import { Migration } from '@mikro-orm/migrations';

/**
 * The stations report's exact sums (services/api, modules/admin/analytics/station-ranking.ts):
 * each station's figures per currency summed from its first day up to and including each day it
 * had any, from analytics_station_period's day rows. A station's figures over `from`..`to` are
 * its last row on or before `to` less its last row before `from` (none: nothing): two index
 * probes, where the period rows need one per month, week and day of the range (up to ~15 for a
 * 30-day range). Refreshed after analytics_station_period, by the same job.
 */
export class Migration20261205213500_analytics_station_cumulative extends Migration {
  override name = 'Migration20261205213500_analytics_station_cumulative';

  override up(): void | Promise<void> {
    this.addSql(`create materialized view analytics_station_cumulative as
      select station_id, currency, first_day as day,
             (sum(rentals) over upto)::int8 as rentals, (sum(rental_seconds) over upto)::int8 as rental_seconds,
             (sum(payments) over upto)::int8 as payments, (sum(amount) over upto)::int8 as amount
        from analytics_station_period
       where period = 'day'
      window upto as (partition by station_id, currency order by first_day);`);
    // The refresh's key, and the report's probe: (station, currency), its last day on or before a
    // day. The figures ride in the index, so a probe reads no heap page once the job's vacuum has
    // marked the view's pages all-visible (index-only scans).
    this.addSql(
      `create unique index analytics_station_cumulative_key on analytics_station_cumulative (station_id, currency, day) include (rentals, rental_seconds, payments, amount);`,
    );
    // The period lists as the report reads them (station, currency, amount in rank order): from the
    // index alone, without a heap page per station listed.
    this.addSql(`drop index analytics_station_period_top;`);
    this.addSql(
      `create index analytics_station_period_top on analytics_station_period (period, first_day, amount desc, rentals desc, station_id) include (currency);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop materialized view if exists analytics_station_cumulative;`);
    this.addSql(`drop index analytics_station_period_top;`);
    this.addSql(
      `create index analytics_station_period_top on analytics_station_period (period, first_day, amount desc, rentals desc, station_id);`,
    );
  }
}
