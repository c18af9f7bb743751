import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@powerbank/domain';
import { appConfigNumber } from '../../platform/app-config.ts';
import { offsetOf, pageOf } from '../../platform/pagination.ts';
import type { StaticCache } from '../../platform/static-cache.ts';
import {
  CAN_RENT_NOW,
  containsPattern,
  LISTED,
  SLOT_COUNTS_JOIN,
  SUMMARY_COLUMNS,
  type SummaryRow,
  toSummary,
} from './station-queries.ts';
import type {
  NearbyInput,
  NearbyOutput,
  StationBySnInput,
  StationDetail,
  StationListInput,
  StationListOutput,
} from './stations.schemas.ts';

/** RULES.md default of AppConfig `rental_min_battery_pct`, for a database without the row. */
const DEFAULT_MIN_BATTERY_PCT = 20;

/** The charge a power bank needs to be rented out (and so to count as available). */
export function minRentalBattery(em: EntityManager, cache: StaticCache): Promise<number> {
  return appConfigNumber(em, cache, 'rental_min_battery_pct', DEFAULT_MIN_BATTERY_PCT);
}

/** Listed stations by name, filtered, one page, each with its available and free counts. */
export async function listStations(
  em: EntityManager,
  cache: StaticCache,
  input: StationListInput,
): Promise<StationListOutput> {
  const minBattery = await minRentalBattery(em, cache);
  const where = [LISTED];
  const params: unknown[] = [];
  if (input.status) {
    where.push('s.status = ?');
    params.push(input.status);
  }
  if (input.city) {
    where.push('lower(s.city) = lower(?)');
    params.push(input.city);
  }
  if (input.search) {
    where.push(`s.name ilike ?`);
    params.push(containsPattern(input.search));
  }
  if (input.available_only) {
    where.push(CAN_RENT_NOW);
    params.push(minBattery);
  }
  // The window count is taken over the matching ids only; the per-station work runs for one page.
  const rows = await em.getConnection().execute<(SummaryRow & { total: string })[]>(
    `with page as (
       select s.id, count(*) over () as total from station s
       where ${where.join(' and ')}
       order by s.name, s.serial_number limit ? offset ?)
     select ${SUMMARY_COLUMNS}, p.total
     from page p join station s on s.id = p.id ${SLOT_COUNTS_JOIN}
     order by s.name, s.serial_number`,
    [...params, input.page_size, offsetOf(input), minBattery],
  );
  const total = rows[0]
    ? Number(rows[0].total)
    : await countRows(em, `select count(*) as n from station s where ${where.join(' and ')}`, params);
  return pageOf(rows.map(toSummary), input, total);
}

/**
 * earthdistance's sphere radius (`earth()`, meters): `DISTANCE_SQL` measures on the
 * same sphere as `earth_distance`, so distances agree with it to well under a meter.
 */
const EARTH_RADIUS_M = 6_378_168;

/**
 * Great-circle meters from (lat, lng) — the first two parameters — to station `s`,
 * by the haversine formula on the plain columns. `earth_distance(ll_to_earth(…))`
 * gives the same number but costs ~50 µs a row: `ll_to_earth` is a SQL function
 * returning the `earth` domain, whose CHECK constraints (each calling `earth()`)
 * run for every row. Binds: lat, lat, lng.
 */
const DISTANCE_SQL = `${2 * EARTH_RADIUS_M} * asin(least(1, sqrt(
    power(sin(radians(s.latitude - ?) / 2), 2)
    + cos(radians(?)) * cos(radians(s.latitude)) * power(sin(radians(s.longitude - ?) / 2), 2))))`;

/**
 * Listed stations within `radius` meters, nearest first. `earth_box @> ll_to_earth`
 * is what the GiST index `station_earth_gist` answers (a bounding cube a bit larger
 * than the circle, read from the index alone); the exact circle, the sort and the
 * window count then use `DISTANCE_SQL` on the box's rows, and the per-station work
 * (slot counts, image, amenities) runs for the one page only.
 */
export async function findNearbyStations(
  em: EntityManager,
  cache: StaticCache,
  input: NearbyInput,
): Promise<NearbyOutput> {
  const minBattery = await minRentalBattery(em, cache);
  const where = [LISTED, 'earth_box(ll_to_earth(?, ?), ?) @> ll_to_earth(s.latitude, s.longitude)'];
  const whereParams: unknown[] = [input.lat, input.lng, input.radius];
  if (input.available_only) {
    where.push(CAN_RENT_NOW);
    whereParams.push(minBattery);
  }
  const hits = `select s.id, ${DISTANCE_SQL} as distance_m
    from station s where ${where.join(' and ')}`;
  const hitParams = [input.lat, input.lat, input.lng, ...whereParams];
  const rows = await em.getConnection().execute<(SummaryRow & { distance_m: number; total: string })[]>(
    `with hits as (${hits}),
     page as (
       select id, distance_m, count(*) over () as total from hits where distance_m <= ?
       order by distance_m, id limit ? offset ?)
     select ${SUMMARY_COLUMNS}, p.distance_m, p.total
     from page p join station s on s.id = p.id ${SLOT_COUNTS_JOIN}
     order by p.distance_m, s.id`,
    [...hitParams, input.radius, input.page_size, offsetOf(input), minBattery],
  );
  const total = rows[0]
    ? Number(rows[0].total)
    : await countRows(em, `with hits as (${hits}) select count(*) as n from hits where distance_m <= ?`, [
        ...hitParams,
        input.radius,
      ]);
  return pageOf(
    rows.map((row) => ({ ...toSummary(row), distanceM: Math.round(row.distance_m) })),
    input,
    total,
  );
}

/**
 * One station by serial number with its slots, media and amenities. Unlisted
 * (non-public) stations answer too: their serial number is on the station itself.
 */
export async function getStation(
  em: EntityManager,
  cache: StaticCache,
  input: StationBySnInput,
): Promise<StationDetail> {
  const minBattery = await minRentalBattery(em, cache);
  const rows = await em.getConnection().execute<
    (SummaryRow & {
      opening_hours: string | null;
      description: string | null;
      slots: StationDetail['slots'];
      media: StationDetail['media'];
      amenities: StationDetail['amenities'];
    })[]
  >(
    `select ${SUMMARY_COLUMNS}, s.opening_hours, s.description,
       coalesce((select json_agg(json_build_object(
           'slotIndex', ss.slot_index, 'status', ss.status, 'batteryLevel', ss.battery_level,
           'powerBank', case when pb.id is null then null
                        else json_build_object('model', pb.model, 'capacityMah', pb.capacity_mah) end)
           order by ss.slot_index)
         from station_slot ss left join power_bank pb on pb.id = ss.power_bank_id
         where ss.station_id = s.id), '[]') as slots,
       coalesce((select json_agg(json_build_object('type', m.type, 'url', m.url, 'isPrimary', m.is_primary)
           order by m.is_primary desc, m.sort_order, m.created_at)
         from station_media m where m.station_id = s.id), '[]') as media,
       coalesce((select json_agg(json_build_object('code', a.code, 'name', a.name, 'icon', a.icon, 'note', am.note)
           order by a.name)
         from station_amenity_mapping am join station_amenity a on a.id = am.amenity_id
         where am.station_id = s.id), '[]') as amenities
     from station s ${SLOT_COUNTS_JOIN}
     where s.serial_number = ? and s.status <> 'decommissioned'`,
    [minBattery, input.sn],
  );
  const row = rows[0];
  if (!row) throw new DomainError('NOT_FOUND', `no station ${input.sn}`);
  const { imageUrl: _image, amenityCodes: _codes, ...summary } = toSummary(row);
  return {
    ...summary,
    openingHours: row.opening_hours,
    description: row.description,
    slots: row.slots,
    media: row.media,
    amenities: row.amenities,
  };
}

async function countRows(em: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const [row] = await em.getConnection().execute<{ n: string }[]>(sql, params);
  return Number(row?.n ?? 0);
}
