import type { EntityManager } from '@mikro-orm/postgresql';
import {
  analyticsDb,
  type DB,
  type ExpressionBuilder,
  type Kysely,
  prepared,
  recordset,
  runPrepared,
  sql,
} from '@powerbank/db';
import type { StationReportInput } from './analytics.schemas.ts';
import { periodsOf } from './report-periods.ts';

/** The range's periods as the one jsonb parameter `recordset` reads (`n`: its position). */
const PERIOD_COLUMNS = { n: 'int', period: 'text', first_day: 'date' } as const;
const periodsOfRange = (p: { periods: string }) => recordset(p.periods, 'b', PERIOD_COLUMNS);

/**
 * The top `depth` stations of each period in the view's index order (amount, rentals, station),
 * per period: how many it had (fewer than `depth`: the period's whole list) and the smallest
 * amount among them, and which stations they were.
 */
const PERIOD_TOPS = prepared((db: Kysely<DB>, p: { periods: string; depth: number }) =>
  analyticsDb(db)
    .selectFrom(periodsOfRange(p))
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
    .groupBy('b.n')
    .select((eb) => [
      'b.n',
      eb.fn.countAll<number>().as('listed'),
      eb.fn.min('top.amount').as('least'),
      eb.fn<string[]>('array_agg', ['top.station_id']).as('stations'),
    ]),
);

interface RankParams {
  periods: string;
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
function rankedPage(db: Kysely<DB>, p: RankParams, among?: (eb: ExpressionBuilder<never, never>) => unknown) {
  let figures = analyticsDb(db)
    .selectFrom(periodsOfRange(p))
    .innerJoin('analytics_station_period as v', (join) =>
      join.onRef('v.period', '=', 'b.period').onRef('v.first_day', '=', 'b.first_day'),
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
  if (among) figures = figures.where('v.station_id', '=', among as never);
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

const PAGE_AMONG = prepared((db: Kysely<DB>, p: RankParams & { stations: string[] }) =>
  rankedPage(db, p, (eb) => eb.fn('any', [sql`${p.stations}::uuid[]`])),
);
const PAGE_OF_ALL = prepared((db: Kysely<DB>, p: RankParams) => rankedPage(db, p));

export interface RankingDepths {
  /** Rows read from each period's list in the first round (twice the page, at least 50, by default). */
  first?: number;
  /** Past this depth the lists say little: every station of the range is summed instead. */
  max?: number;
}

/**
 * The stations report's page without summing every station of the range (Fagin's threshold
 * algorithm). Each period lists its stations by amount (the view's index); reading the top
 * `depth` of every list gives candidates, whose exact sums over the range are then read by key.
 * A station seen in no list has at most, in each period, the amount of that list's last row read
 * (nothing where the list was read whole), so at most their sum, the threshold: once the page's
 * last candidate has more than that, no unseen station can enter the page, and the page is
 * exact. Otherwise the lists are read deeper. Stations' revenue is very uneven in practice (a
 * few busy stations, many quiet ones), so one round usually does. One period (a calendar month)
 * is its own list: its top `limit` is the page.
 */
export async function rankStations(em: EntityManager, input: StationReportInput, depths: RankingDepths = {}) {
  const periods = periodsOf(input.from, input.to);
  const params: RankParams = {
    periods: JSON.stringify(periods.map((period, n) => ({ n, ...period }))),
    from: input.from,
    to: input.to,
    days: (Date.parse(input.to) - Date.parse(input.from)) / 86_400_000 + 1,
    limit: input.limit,
  };
  const first = depths.first ?? Math.max(2 * input.limit, 50);
  for (let depth = first; depth <= (depths.max ?? 20_000); depth *= 4) {
    const tops = await runPrepared(em, PERIOD_TOPS, { periods: params.periods, depth }, 'read');
    // One period's list is in the page's order: its top `limit` is the page.
    const wholeLists =
      (periods.length === 1 && depth >= input.limit) || tops.every((top) => Number(top.listed) < depth);
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
export const STATION_RANKING_TEXTS = [PERIOD_TOPS.text, PAGE_AMONG.text, PAGE_OF_ALL.text];
