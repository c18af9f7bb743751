import type { EntityManager } from '@mikro-orm/postgresql';
import {
  advisoryXactLock,
  type LEADERBOARD_CATEGORIES,
  LEADERBOARD_PERIODS,
  prepared,
  runPrepared,
  sqlRows,
} from '@powerbank/db';
import { SQL_UUIDV7 } from './sql-uuidv7.ts';

export type LeaderboardCategory = (typeof LEADERBOARD_CATEGORIES)[number];
export type LeaderboardPeriod = (typeof LEADERBOARD_PERIODS)[number];

/**
 * The overall score's weight per unit of each category (docs/rules.md): a rental and a timely
 * return weigh more than the few points they earn, a rewarded referral most.
 */
export const OVERALL_WEIGHTS = { rentals: 10, timely_returns: 10, referrals: 50, points_per: 10 } as const;

const ALL_TIME_START = '1970-01-01';
const DAY_MS = 86_400_000;

/**
 * The first day (UTC, `YYYY-MM-DD`) of the period containing `now`: weeks start on Monday,
 * months on the 1st; all time on 1970-01-01. The job writes and the api reads under this key.
 */
export function periodStart(period: LeaderboardPeriod, now: Date): string {
  if (period === 'all_time') return ALL_TIME_START;
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (period === 'month') day.setUTCDate(1);
  else day.setTime(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
  return day.toISOString().slice(0, 10);
}

/**
 * Job (leaderboard recomputation): every category's ranking for the current week, month and all
 * time, computed from the records — settled rentals (by settlement time), those returned by their
 * due time, rewarded referrals, points earned (refunds and adjustments are not earned) — and
 * written into `user_leaderboard`, never on a request. Each period is replaced in one
 * transaction (readers see the old ranking or the new one); an advisory lock serialises two runs.
 * Only active users with a score above 0 are ranked; ties share a rank (1, 1, 3).
 */
export async function computeLeaderboards(em: EntityManager, now: Date = new Date()): Promise<number> {
  let written = 0;
  for (const period of LEADERBOARD_PERIODS) {
    written += await em.transactional(async (tem) => {
      await advisoryXactLock(tem, 'user_leaderboard');
      const start = periodStart(period, now);
      await runPrepared(tem, CLEAR_PERIOD, { period, start });
      const [row] = await sqlRows<{ n: string }>(tem, RANKING_SQL, [
        period,
        start,
        now,
        OVERALL_WEIGHTS.rentals,
        OVERALL_WEIGHTS.timely_returns,
        OVERALL_WEIGHTS.referrals,
        OVERALL_WEIGHTS.points_per,
      ]);
      return Number(row?.n ?? 0);
    });
  }
  return written;
}

// $1 period, $2 period start (date), $3 computed at (records up to then); $4–$7 the overall weights.
// The job's time is a JS date (milliseconds) and the records' times are Postgres's (microseconds): a
// record written within the job's millisecond counts as up to it (`until` is the end of that millisecond).
const RANKING_SQL = `with since as (select $2::date::timestamptz as t, $3::timestamptz + interval '1 millisecond' as until),
  r as (select user_id, count(*) as rentals, count(*) filter (where returned_at <= due_at) as timely
          from rental, since where status = 'settled' and settled_at >= since.t and settled_at < since.until
         group by user_id),
  p as (select user_id, sum(points) as points from points_transaction, since
         where points > 0 and type not in ('refund', 'adjustment') and created_at >= since.t
           and created_at < since.until group by user_id),
  f as (select inviter_id as user_id, count(*) as referrals from referral, since
         where status = 'rewarded' and coalesce(completed_at, updated_at) >= since.t
           and coalesce(completed_at, updated_at) < since.until group by inviter_id),
  scores as (
    select u.id as user_id, coalesce(r.rentals, 0) as rentals, coalesce(r.timely, 0) as timely,
           coalesce(p.points, 0) as points, coalesce(f.referrals, 0) as referrals
      from (select user_id from r union select user_id from p union select user_id from f) ids
      join users u on u.id = ids.user_id and u.status = 'active'
      left join r on r.user_id = ids.user_id
      left join p on p.user_id = ids.user_id
      left join f on f.user_id = ids.user_id),
  long as (
    select user_id, c.category, c.score from scores,
      lateral (values ('rentals', rentals), ('timely_returns', timely), ('points', points),
                      ('referrals', referrals),
                      ('overall', rentals * $4 + timely * $5 + referrals * $6 + points / $7)) c(category, score)),
  written as (
    insert into user_leaderboard (id, user_id, category, period, period_start, score, rank, computed_at)
    select ${SQL_UUIDV7}, user_id, category, $1, $2::date, score::int,
           rank() over (partition by category order by score desc), $3
      from long where score > 0
    returning 1)
  select count(*) as n from written`;

/** A period's ranking, cleared before it is computed again. */
const CLEAR_PERIOD = prepared((db, p: { period: LeaderboardPeriod; start: string }) =>
  db.deleteFrom('user_leaderboard').where('period', '=', p.period).where('period_start', '=', p.start),
);
