import type { EntityManager } from '@mikro-orm/postgresql';
import {
  analyticsDb,
  type DB,
  type Kysely,
  prepared,
  runPrepared,
  type StationPeriod,
  sql,
} from '@powerbank/db';
import type { StationReportInput } from './analytics.schemas.ts';
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

/**
 * The top `depth` stations of each period in the view's index order (amount, rentals, station),
 * per period: how many it had (fewer than `depth`: the period's whole list) and the smallest
 * amount among them, and which stations they were.
 */
const PERIOD_TOPS = prepared((db: Kysely<DB>, p: { kinds: string[]; firstDays: string[]; depth: number }) =>
  analyticsDb(db)
    .selectFrom(periodTable(p))
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('analytics_station_period as v')
          .select(['v.station_id', 'v.amount'])
          .whereRef('v.period', '=', 'b.period')
          .whereRef('v.first_day', '=', 'b.first_day')
          .orderBy('v.amount', 'desc')
          .orderBy('v.rentals', 'desc')
          .orderBy('v.station_id')
          .limit(p.depth)
          .as('top'),
      (join) => join.onTrue(),
    )
    .groupBy(['b.period', 'b.first_day'])
    .select((eb) => [
      eb.fn.countAll<number>().as('listed'),
      eb.fn.min('top.amount').as('least'),
      eb.fn<string[]>('array_agg', ['top.station_id']).as('stations'),
    ]),
);

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

/**
 * The report's page: each (station, currency)'s figures summed over the range's periods, the top
 * `limit` by amount, rentals and station, joined to their station and their sampled uptime.
 * `among` restricts the sums to some stations (the candidates); without it every station of the
 * range is summed (the fallback).
 */
function rankedPage(db: Kysely<DB>, p: RankParams, among?: { stations: string[] }) {
  /** `= any(array)`: with the arrays' values the planner sees how few rows they pick. */
  const anyOf = (values: string[], type: 'date' | 'uuid') => sql<string>`any(${values}::${sql.raw(type)}[])`;
  let figures = analyticsDb(db)
    .selectFrom('analytics_station_period as v')
    .where((eb) =>
      eb.or([
        eb.and([eb('v.period', '=', 'day'), eb('v.first_day', '=', anyOf(p.dayPeriods, 'date'))]),
        eb.and([eb('v.period', '=', 'week'), eb('v.first_day', '=', anyOf(p.weekPeriods, 'date'))]),
        eb.and([eb('v.period', '=', 'month'), eb('v.first_day', '=', anyOf(p.monthPeriods, 'date'))]),
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
  if (among) figures = figures.where('v.station_id', '=', anyOf(among.stations, 'uuid'));
  return db
    .selectFrom(figures.as('top'))
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

const PAGE_AMONG = prepared((db: Kysely<DB>, p: RankParams & { stations: string[] }) => rankedPage(db, p, p));
const PAGE_OF_ALL = prepared((db: Kysely<DB>, p: RankParams) => rankedPage(db, p));

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
 * sums over the range's periods are then read by key. Amounts are never negative, so a station
 * seen in no list has, over each bounding period's part of the range, at most the amount of that
 * list's last row read (nothing where the list was read whole), and over the range at most their
 * sum, the threshold: once the page's last candidate has more than that, no unseen station can
 * enter the page and the page is exact. Otherwise the lists are read deeper. Stations' revenue
 * is very uneven in practice (a few busy stations, many quiet ones), so one round usually does.
 * A range that is one period (a calendar month, a week) is its own list: its top `limit` is the
 * page.
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
    const tops = await runPrepared(em, PERIOD_TOPS, { ...bounds, depth }, 'read');
    const wholeLists = (alone && depth >= input.limit) || tops.every((top) => Number(top.listed) < depth);
    const threshold = tops.reduce(
      (sum, top) => sum + (Number(top.listed) < depth ? 0 : Number(top.least)),
      0,
    );
    const stations = [...new Set(tops.flatMap((top) => top.stations))];
    const page = await runPrepared(em, PAGE_AMONG, { ...params, stations }, 'read');
    const last = page.at(-1);
    if (wholeLists || (page.length === input.limit && last && Number(last.amount) > threshold)) return page;
  }
  return runPrepared(em, PAGE_OF_ALL, params, 'read');
}

/** The statements the report may run (what the reports' test checks they read). */
export const STATION_RANKING_QUERIES = { PERIOD_TOPS, PAGE_AMONG, PAGE_OF_ALL };
