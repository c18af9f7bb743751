import type { EntityManager } from '@mikro-orm/postgresql';
import {
  advisoryXactLock,
  type LEADERBOARD_CATEGORIES,
  LEADERBOARD_PERIODS,
  prepared,
  runPrepared,
  sql,
} from '@powerbank/db';
import { uuidv7Sql } from './sql-uuidv7.ts';

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
      const [row] = await runPrepared(tem, RANKING, { period, start, until: now });
      return Number(row?.n ?? 0);
    });
  }
  return written;
}

/**
 * A period's ranking, computed and written in one statement: each category's score per active
 * user from the records since the period's start (up to the job's time), ranked with ties
 * sharing a rank. The job's time is a JS date (milliseconds) and the records' times are
 * Postgres's (microseconds): a record written within the job's millisecond counts as up to it
 * (`until` is the end of that millisecond).
 */
const RANKING = prepared((db, p: { period: LeaderboardPeriod; start: string; until: Date }) =>
  db
    .with('since', (qc) =>
      qc.selectNoFrom([
        sql<Date>`${p.start}::date::timestamptz`.as('t'),
        sql<Date>`${p.until}::timestamptz + interval '1 millisecond'`.as('until'),
      ]),
    )
    .with('r', (qc) =>
      qc
        .selectFrom(['rental', 'since'])
        .select((eb) => [
          'rental.user_id',
          eb.fn.countAll<number>().as('rentals'),
          eb.fn.countAll<number>().filterWhereRef('rental.returned_at', '<=', 'rental.due_at').as('timely'),
        ])
        .where('rental.status', '=', 'settled')
        .whereRef('rental.settled_at', '>=', 'since.t')
        .whereRef('rental.settled_at', '<', 'since.until')
        .groupBy('rental.user_id'),
    )
    .with('p', (qc) =>
      qc
        .selectFrom(['points_transaction', 'since'])
        .select((eb) => [
          'points_transaction.user_id',
          eb.fn.sum<number>('points_transaction.points').as('points'),
        ])
        .where('points_transaction.points', '>', 0)
        .where('points_transaction.type', 'not in', ['refund', 'adjustment'])
        .whereRef('points_transaction.created_at', '>=', 'since.t')
        .whereRef('points_transaction.created_at', '<', 'since.until')
        .groupBy('points_transaction.user_id'),
    )
    .with('f', (qc) =>
      qc
        .selectFrom(['referral', 'since'])
        .select((eb) => ['referral.inviter_id as user_id', eb.fn.countAll<number>().as('referrals')])
        .where('referral.status', '=', 'rewarded')
        .where((eb) => {
          const at = eb.fn.coalesce('referral.completed_at', 'referral.updated_at');
          return eb.and([eb(at, '>=', eb.ref('since.t')), eb(at, '<', eb.ref('since.until'))]);
        })
        .groupBy('referral.inviter_id'),
    )
    .with('scores', (qc) =>
      qc
        .selectFrom((ids) =>
          ids
            .selectFrom('r')
            .select('r.user_id')
            .union(ids.selectFrom('p').select('p.user_id'))
            .union(ids.selectFrom('f').select('f.user_id'))
            .as('ids'),
        )
        .innerJoin('users as u', (join) =>
          join.onRef('u.id', '=', 'ids.user_id').on('u.status', '=', 'active'),
        )
        .leftJoin('r', 'r.user_id', 'ids.user_id')
        .leftJoin('p', 'p.user_id', 'ids.user_id')
        .leftJoin('f', 'f.user_id', 'ids.user_id')
        .select((eb) => [
          'u.id as user_id',
          eb.fn.coalesce('r.rentals', sql.lit(0)).as('rentals'),
          eb.fn.coalesce('r.timely', sql.lit(0)).as('timely'),
          eb.fn.coalesce('p.points', sql.lit(0)).as('points'),
          eb.fn.coalesce('f.referrals', sql.lit(0)).as('referrals'),
        ]),
    )
    // One row per user and category; overall weighs each unit (OVERALL_WEIGHTS), points per `points_per`.
    .with('long', (qc) =>
      qc
        .selectFrom('scores')
        .select(['user_id', sql.lit<string>('rentals').as('category'), 'rentals as score'])
        .unionAll(
          qc
            .selectFrom('scores')
            .select(['user_id', sql.lit<string>('timely_returns').as('category'), 'timely as score']),
        )
        .unionAll(
          qc
            .selectFrom('scores')
            .select(['user_id', sql.lit<string>('points').as('category'), 'points as score']),
        )
        .unionAll(
          qc
            .selectFrom('scores')
            .select(['user_id', sql.lit<string>('referrals').as('category'), 'referrals as score']),
        )
        .unionAll(
          qc
            .selectFrom('scores')
            .select((eb) => [
              'user_id',
              sql.lit<string>('overall').as('category'),
              sql<number>`${eb.ref('rentals')} * ${sql.lit(OVERALL_WEIGHTS.rentals)} + ${eb.ref('timely')} * ${sql.lit(OVERALL_WEIGHTS.timely_returns)} + ${eb.ref('referrals')} * ${sql.lit(OVERALL_WEIGHTS.referrals)} + ${eb.ref('points')} / ${sql.lit(OVERALL_WEIGHTS.points_per)}`.as(
                'score',
              ),
            ]),
        ),
    )
    .with('written', (qc) =>
      qc
        .insertInto('user_leaderboard')
        .columns(['id', 'user_id', 'category', 'period', 'period_start', 'score', 'rank', 'computed_at'])
        .expression((eb) =>
          eb
            .selectFrom('long')
            .select((s) => [
              uuidv7Sql().as('id'),
              'long.user_id',
              'long.category',
              sql<string>`${p.period}::text`.as('period'),
              sql<string>`${p.start}::date`.as('period_start'),
              s.cast<number>('long.score', 'integer').as('score'),
              s.fn
                .agg<number>('rank', [])
                .over((over) => over.partitionBy('long.category').orderBy('long.score', 'desc'))
                .as('rank'),
              sql<Date>`${p.until}::timestamptz`.as('computed_at'),
            ])
            .where('long.score', '>', 0),
        )
        .returning(sql.lit(1).as('one')),
    )
    .selectFrom('written')
    .select((eb) => eb.fn.countAll<string>().as('n')),
);

/** A period's ranking, cleared before it is computed again. */
const CLEAR_PERIOD = prepared((db, p: { period: LeaderboardPeriod; start: string }) =>
  db.deleteFrom('user_leaderboard').where('period', '=', p.period).where('period_start', '=', p.start),
);
