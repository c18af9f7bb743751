import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type AnalyticsViews,
  analyticsDb,
  type DB,
  type Kysely,
  prepared,
  runPrepared,
  type StationPeriod,
  sql,
} from '@powerbank/db';
import type { AliasedSelectQueryBuilder, ExpressionBuilder } from 'kysely';
import type { StationReportInput } from './analytics.schemas.ts';
import { pageIsExact } from './ranking-bound.ts';
import { boundingPeriods, periodsOf } from './report-periods.ts';

/**
 * Periods as a table `b(period, first_day)` from two arrays of the same length: with the arrays'
 * values the planner counts them (a jsonb recordset it guesses at 100 rows, and past a cost
 * estimate that high Postgres JIT-compiles a 10 ms query for 100 ms).
 */
const periodTable = (p: { kinds: string[]; firstDays: string[] }) =>
  sql<{
    period: StationPeriod;
    first_day: string;
  }>`unnest(${p.kinds}::text[], ${p.firstDays}::date[])`.as<'b'>(sql`b(period, first_day)`);

interface RankParams {
  /** The range's periods by kind: first days (`periodsOf`). */
  dayPeriods: string[];
  weekPeriods: string[];
  monthPeriods: string[];
  from: string;
  to: string;
  days: number;
  limit: number;
}

/** A (station, currency)'s figures over the range, as the page ranks them. */
interface StationFigures {
  station_id: string;
  currency: string;
  rentals: number;
  payments: number;
  amount: number;
  rental_seconds: number;
}

/**
 * The report's page from `top`, the top `limit` (station, currency)s' figures over the range:
 * joined to their station and their sampled uptime, in the report's order.
 */
function pageOf(db: Kysely<DB>, top: AliasedSelectQueryBuilder<StationFigures, 'top'>, p: RankParams) {
  return db
    .selectFrom(top)
    .innerJoin('station as s', 's.id', 'top.station_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('station_uptime_day as u')
          .select((eb) => [
            eb.fn.sum<number>('u.online_seconds').as('online'),
            eb.fn.sum<number>('u.observed_seconds').as('observed'),
          ])
          .whereRef('u.station_id', '=', 'top.station_id')
          .where('u.day', '>=', p.from)
          .where('u.day', '<=', p.to)
          .as('up'),
      (join) => join.onTrue(),
    )
    .select([
      'top.station_id',
      's.serial_number',
      's.name',
      'top.currency',
      'top.rentals',
      'top.payments',
      'top.amount',
      sql<number>`(top.rental_seconds / 60)::int8`.as('rental_minutes'),
      sql<number>`round(top.rental_seconds * 10000.0 / (s.slot_count * 86400.0 * ${p.days}::int))::int`.as(
        'utilisation_bp',
      ),
      sql<number | null>`round(up.online * 10000.0 / nullif(up.observed, 0))::int`.as('uptime_bp'),
    ])
    .orderBy('top.amount', 'desc')
    .orderBy('top.rentals', 'desc')
    .orderBy('top.station_id');
}

/**
 * Every (station, currency) of the range summed over the range's periods, the top `limit`: the
 * fallback when the lists say too little (every station of the range is read).
 */
const PAGE_OF_ALL = prepared((db: Kysely<DB>, p: RankParams) => {
  /** `= any(array)`: with the arrays' values the planner sees how few rows they pick. */
  const anyOf = (values: string[]) => sql<string>`any(${values}::date[])`;
  const figures = analyticsDb(db)
    .selectFrom('analytics_station_period as v')
    .where((eb) =>
      eb.or([
        eb.and([eb('v.period', '=', 'day'), eb('v.first_day', '=', anyOf(p.dayPeriods))]),
        eb.and([eb('v.period', '=', 'week'), eb('v.first_day', '=', anyOf(p.weekPeriods))]),
        eb.and([eb('v.period', '=', 'month'), eb('v.first_day', '=', anyOf(p.monthPeriods))]),
      ]),
    )
    .groupBy(['v.station_id', 'v.currency'])
    .select((eb) => [
      'v.station_id',
      'v.currency',
      eb.cast<number>(eb.fn.sum('v.rentals'), 'integer').as('rentals'),
      eb.cast<number>(eb.fn.sum('v.payments'), 'integer').as('payments'),
      eb.cast<number>(eb.fn.sum('v.amount'), 'int8').as('amount'),
      eb.cast<number>(eb.fn.sum('v.rental_seconds'), 'int8').as('rental_seconds'),
    ])
    .orderBy('amount', 'desc')
    .orderBy('rentals', 'desc')
    .orderBy('v.station_id')
    .limit(p.limit);
  return pageOf(db, figures.as('top'), p);
});

/** The bounding periods (`boundingPeriods`) as two arrays, and how deep a round reads their lists. */
interface RoundParams extends RankParams {
  kinds: string[];
  firstDays: string[];
  depth: number;
}

/** A candidate: a (station, currency) some list showed. */
type Candidate = { station_id: string; currency: string };
type CandidateScope = ExpressionBuilder<DB & AnalyticsViews & Record<'c', Candidate>, 'c'>;
/** The figures the cumulative view sums. */
type Summed = 'rentals' | 'payments' | 'amount' | 'rental_seconds';

/**
 * One round of the threshold algorithm, in one statement:
 * - `listed`: the top `depth` (station, currency)s of each bounding period in the view's index
 *   order (amount, rentals, station), read from the index alone;
 * - `lists`: per list, how many it had (fewer than `depth`: the period's whole list) and the
 *   smallest amount among them — as two arrays on every row (`pageIsExact` decides from them);
 * - `c`, the candidates: the distinct (station, currency)s listed;
 * - their figures over `from`..`to`: each one's cumulative figures on its last day on or before
 *   `to` less those on its last day before `from` (two probes of the cumulative view's key; none
 *   before: nothing), keeping those with a rental or a payment in the range (what makes a row of
 *   the plain aggregate), the top `limit` of them joined as the page.
 * The page is left-joined to the lists' one row, so a round with no page still says what it read.
 */
const ROUND = prepared((db: Kysely<DB>, p: RoundParams) => {
  const withLists = analyticsDb(db)
    .with('listed', (qb) =>
      qb
        .selectFrom(periodTable(p))
        .innerJoinLateral(
          (eb) =>
            eb
              .selectFrom('analytics_station_period as v')
              .select(['v.station_id', 'v.currency', 'v.amount'])
              .whereRef('v.period', '=', 'b.period')
              .whereRef('v.first_day', '=', 'b.first_day')
              .orderBy('v.amount', 'desc')
              .orderBy('v.rentals', 'desc')
              .orderBy('v.station_id')
              .limit(p.depth)
              .as('top'),
          (join) => join.onTrue(),
        )
        .select(['b.period', 'b.first_day', 'top.station_id', 'top.currency', 'top.amount']),
    )
    .with('lists', (qb) =>
      qb
        .selectFrom('listed')
        .groupBy(['listed.period', 'listed.first_day'])
        .select((eb) => [eb.fn.countAll<number>().as('listed'), eb.fn.min('listed.amount').as('least')]),
    )
    .with('c', (qb) => qb.selectFrom('listed').select(['listed.station_id', 'listed.currency']).distinct());
  const cumulative = (eb: CandidateScope, day: 'upto' | 'before') => {
    const at = eb
      .selectFrom('analytics_station_cumulative as k')
      .select(['k.rentals', 'k.payments', 'k.amount', 'k.rental_seconds'])
      .whereRef('k.station_id', '=', 'c.station_id')
      .whereRef('k.currency', '=', 'c.currency');
    return (day === 'upto' ? at.where('k.day', '<=', p.to) : at.where('k.day', '<', p.from))
      .orderBy('k.day', 'desc')
      .limit(1);
  };
  const between = (column: Summed) =>
    sql<number>`coalesce(${sql.ref(`upto.${column}`)}, 0) - coalesce(${sql.ref(`before.${column}`)}, 0)`;
  // The candidates' CTE by name (`withTables` types it; `withLists.selectFrom` would repeat the CTEs).
  const figures = analyticsDb(db)
    .withTables<Record<'c', Candidate>>()
    .selectFrom('c')
    .innerJoinLateral(
      (eb) => cumulative(eb, 'upto').as('upto'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) => cumulative(eb, 'before').as('before'),
      (join) => join.onTrue(),
    )
    .select((eb) => [
      'c.station_id',
      'c.currency',
      eb.cast<number>(between('rentals'), 'integer').as('rentals'),
      eb.cast<number>(between('payments'), 'integer').as('payments'),
      eb.cast<number>(between('amount'), 'int8').as('amount'),
      eb.cast<number>(between('rental_seconds'), 'int8').as('rental_seconds'),
    ])
    .where((eb) => eb.or([eb(between('rentals'), '>', 0), eb(between('payments'), '>', 0)]))
    .orderBy('amount', 'desc')
    .orderBy('rentals', 'desc')
    .orderBy('c.station_id')
    .limit(p.limit);
  return withLists
    .selectFrom((qb) =>
      qb
        .selectFrom('lists')
        .select((eb) => [
          eb.fn<number[] | null>('array_agg', ['lists.listed']).as('listed'),
          eb.fn<number[] | null>('array_agg', ['lists.least']).as('least'),
        ])
        .as('lists'),
    )
    .leftJoin(pageOf(db, figures.as('top'), p).as('page'), (join) => join.onTrue())
    .selectAll('page')
    .select(['lists.listed', 'lists.least'])
    .orderBy('page.amount', 'desc')
    .orderBy('page.rentals', 'desc')
    .orderBy('page.station_id');
});

export interface RankingDepths {
  /** Rows read from each period's list in the first round (twice the page, at least 50, by default). */
  first?: number;
  /** Past this depth the lists say little: every station of the range is summed instead. */
  max?: number;
}

/**
 * The stations report's page without summing every station of the range (Fagin's threshold
 * algorithm). The range is cut into periods (`periodsOf`: months, weeks, days), bounded by
 * whole months and weeks (`boundingPeriods`), each of which lists its stations by amount (the
 * view's index). Reading the top `depth` of every bounding list gives candidates, whose exact
 * figures over the range are then read from the cumulative view, two probes each. The page is
 * exact once its last candidate has more than any station no list showed can have
 * (`pageIsExact`); otherwise the lists are read deeper. Stations' revenue is very uneven in
 * practice (a few busy stations, many quiet ones), so one round usually does. A range that is
 * one period (a calendar month, a week) is its own list: its top `limit` is the page.
 */
export async function rankStations(em: EntityManager, input: StationReportInput, depths: RankingDepths = {}) {
  const periods = periodsOf(input.from, input.to);
  // One period is its own list, in the page's order: its top `limit` is the page.
  const alone = periods.length === 1;
  const bounding = alone ? periods : boundingPeriods(periods);
  const bounds = { kinds: bounding.map((b) => b.period), firstDays: bounding.map((b) => b.first_day) };
  const firstDays = (kind: StationPeriod) => periods.filter((p) => p.period === kind).map((p) => p.first_day);
  const params: RankParams = {
    dayPeriods: firstDays('day'),
    weekPeriods: firstDays('week'),
    monthPeriods: firstDays('month'),
    from: input.from,
    to: input.to,
    days: (Date.parse(input.to) - Date.parse(input.from)) / 86_400_000 + 1,
    limit: input.limit,
  };
  const first = depths.first ?? (alone ? input.limit : Math.max(2 * input.limit, 50));
  for (let depth = first; depth <= (depths.max ?? 20_000); depth *= 4) {
    const { lists, page } = roundOf(await runPrepared(em, ROUND, { ...params, ...bounds, depth }, 'read'));
    const amounts = page.map((row) => ({ amount: Number(row.amount) }));
    if (pageIsExact({ lists, depth, alone }, amounts, input.limit)) return page;
  }
  return runPrepared(em, PAGE_OF_ALL, params, 'read');
}

/**
 * A round's answer: what it read of each list (the same on every row; none: no list had a row)
 * and its page, the rows that have a station (a round with an empty page answers one row without).
 */
function roundOf(rows: (typeof ROUND.row)[]) {
  const listed = rows[0]?.listed ?? [];
  const least = rows[0]?.least ?? [];
  return {
    lists: listed.map((n, i) => ({ listed: Number(n), least: Number(least[i]) })),
    page: rows.flatMap(({ listed: _listed, least: _least, ...row }) =>
      row.station_id === null ? [] : [row],
    ),
  };
}

/** The statements the report may run (what the reports' test checks they read). */
export const STATION_RANKING_QUERIES = { ROUND, PAGE_OF_ALL };
