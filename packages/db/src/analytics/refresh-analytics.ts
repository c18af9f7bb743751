import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';

/** The analytics job's name, for the scheduler that runs `refreshAnalytics`. */
export const ANALYTICS_REFRESH_JOB = 'analytics.refresh';

/** The views the reports read, in refresh order; `analytics_refreshed` (the time of the refresh) last. */
export const ANALYTICS_VIEWS = [
  'analytics_revenue_daily',
  'analytics_station_period',
  // After analytics_station_period: made from its day rows.
  'analytics_station_cumulative',
  'analytics_rentals_daily',
  'analytics_users_daily',
  'analytics_money_daily',
  'analytics_dues_daily',
  'analytics_refreshed',
] as const;

export interface RefreshAnalyticsOptions {
  /**
   * The longest gap between two looks at a station that still counts as observed time. A job
   * that stopped for a day must not count the whole day as the status it finds on restart.
   */
  maxUptimeGapSeconds?: number;
}

export interface RefreshAnalyticsResult {
  /** False when another refresh held the lock: that one's figures stand. */
  refreshed: boolean;
  stationsObserved: number;
}

/** One key for the refresh's transaction-scoped advisory lock. */
const REFRESH_LOCK = `hashtext('${ANALYTICS_REFRESH_JOB}')`;

/**
 * Samples every station's status into StationUptimeDay and refreshes the reports' materialised
 * views, `concurrently`: readers keep reading the previous figures while it runs. One refresh at
 * a time (a transaction-scoped advisory lock; a second caller returns at once): two at once would
 * count the same seconds of uptime twice. Run by a scheduled job (`ANALYTICS_REFRESH_JOB`).
 */
export async function refreshAnalytics(
  orm: MikroORM | EntityManager,
  options: RefreshAnalyticsOptions = {},
): Promise<RefreshAnalyticsResult> {
  const maxGap = options.maxUptimeGapSeconds ?? 900;
  if (!Number.isSafeInteger(maxGap) || maxGap < 0) throw new Error('maxUptimeGapSeconds must be ≥ 0');
  const em = 'em' in orm ? orm.em.fork() : orm.fork();
  const result = await em.transactional<RefreshAnalyticsResult>(async (tx) => {
    const [lock] = await tx.execute<{ locked: boolean }[]>(
      `select pg_try_advisory_xact_lock(${REFRESH_LOCK}) as locked`,
    );
    if (!lock?.locked) return { refreshed: false, stationsObserved: 0 };
    const [observed] = await tx.execute<{ stations: number }[]>(observeStations(maxGap));
    for (const view of ANALYTICS_VIEWS) {
      await tx.execute(`refresh materialized view concurrently ${view}`);
      // A refresh leaves the planner's statistics as they were (none after the first): without them
      // it guesses a few thousand rows where a range holds hundreds of thousands, and plans for that.
      await tx.execute(`analyze ${view}`);
    }
    return { refreshed: true, stationsObserved: observed?.stations ?? 0 };
  });
  // The reports read the station views by index alone (index-only scans: the stations report's
  // lists and probes), which reads no heap page only where the visibility map says the page is
  // all-visible; a refresh rewrites what changed and clears that, and autovacuum may come much
  // later. Vacuum cannot run in a transaction, so after it: the rows that did not change keep
  // their pages all-visible, so this pass reads little past the first.
  if (result.refreshed) await em.execute(`vacuum ${ANALYTICS_VIEWS.join(', ')}`);
  return result;
}

/**
 * Adds the seconds since each station's last look to today's (UTC) row, and to its online
 * seconds when the station is online now: the status found is taken to have held since the
 * last look, so uptime is exact to the job's interval. A station's first look counts nothing.
 */
const observeStations = (maxGapSeconds: number) => `
  with observed as (
  insert into station_uptime_day as u (station_id, day, observed_seconds, online_seconds, last_observed_at)
  select s.id, (now() at time zone 'UTC')::date, gap.seconds,
         case when s.status = 'online' then gap.seconds else 0 end, now()
    from station s
    left join lateral (select last_observed_at from station_uptime_day
                        where station_id = s.id order by day desc limit 1) last on true
   cross join lateral (select least(${maxGapSeconds},
                                    greatest(0, coalesce(extract(epoch from now() - last.last_observed_at), 0)))::int
                              as seconds) gap
   where s.status <> 'decommissioned'
  on conflict (station_id, day) do update
     set observed_seconds = u.observed_seconds + excluded.observed_seconds,
         online_seconds = u.online_seconds + excluded.online_seconds,
         last_observed_at = excluded.last_observed_at
  returning 1)
  select count(*)::int as stations from observed`;
