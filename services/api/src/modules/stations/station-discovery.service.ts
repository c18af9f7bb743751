import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@powerbank/domain';
import { appConfigNumber } from '../../platform/app-config.ts';
import { offsetOf, pageOf } from '../../platform/pagination.ts';
import type { StaticCache } from '../../platform/static-cache.ts';
import { STATIC_TABLES } from '../../platform/static-tables.ts';
import { type GeoHit, StationGeoIndex } from './station-geo-index.ts';
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
 * The listed stations' positions, cached with the static tables: the api's own
 * writes to `station` (through the ORM) invalidate it on every instance; station-core's
 * state updates do not touch positions and do not.
 */
function stationGeoIndex(em: EntityManager, cache: StaticCache): Promise<StationGeoIndex> {
  return cache.get(STATIC_TABLES.station, 'geo', async () => {
    const rows = await em
      .getConnection()
      .execute<{ id: string; latitude: number; longitude: number }[]>(
        `select s.id, s.latitude, s.longitude from station s where ${LISTED}`,
      );
    return new StationGeoIndex(rows.map((r) => ({ id: r.id, lat: r.latitude, lng: r.longitude })));
  });
}

/**
 * Listed stations within `radius` meters, nearest first. The in-memory geo index
 * finds them (and so the total); the database then reads the live part (status,
 * counts, image, amenities) of the one page, by primary key — or, for
 * `available_only`, checks every hit, since availability changes all the time.
 */
export async function findNearbyStations(
  em: EntityManager,
  cache: StaticCache,
  input: NearbyInput,
): Promise<NearbyOutput> {
  const [minBattery, index] = await Promise.all([minRentalBattery(em, cache), stationGeoIndex(em, cache)]);
  const hits = index.within(input.lat, input.lng, input.radius);
  const offset = offsetOf(input);
  if (!input.available_only) {
    const page = hits.slice(offset, offset + input.page_size);
    const rows = await nearbyRows(em, page, { limit: page.length, offset: 0, minBattery });
    return pageOf(rows.map(nearbySummary), input, hits.length);
  }
  const query = { limit: input.page_size, offset, minBattery, canRentNow: true };
  const rows = await nearbyRows(em, hits, query);
  let total = rows[0] ? Number(rows[0].total) : 0;
  if (!rows.length && offset > 0) {
    // Past the last page the window count has no row to ride on: count from the first page.
    const [first] = await nearbyRows(em, hits, { ...query, limit: 1, offset: 0 });
    total = first ? Number(first.total) : 0;
  }
  return pageOf(rows.map(nearbySummary), input, total);
}

type NearbyRow = SummaryRow & { distance_m: number; total: string };

const nearbySummary = (row: NearbyRow) => ({ ...toSummary(row), distanceM: Math.round(row.distance_m) });

/**
 * Summaries of the given hits that are (still) listed, in their order; `total`
 * counts all that qualify. The hits go in as two array literals (ids,
 * distances): the ORM would spread a JS array into one parameter per element.
 */
async function nearbyRows(
  em: EntityManager,
  hits: readonly GeoHit[],
  page: { limit: number; offset: number; minBattery: number; canRentNow?: boolean },
): Promise<NearbyRow[]> {
  if (!hits.length || page.limit === 0) return [];
  const where = page.canRentNow ? `${LISTED} and ${CAN_RENT_NOW}` : LISTED;
  const params: unknown[] = [
    `{${hits.map((h) => h.id).join(',')}}`,
    `{${hits.map((h) => h.distanceM).join(',')}}`,
  ];
  if (page.canRentNow) params.push(page.minBattery);
  return em.getConnection().execute<NearbyRow[]>(
    `with hits as (select * from unnest(?::uuid[], ?::float8[]) with ordinality as h(id, distance_m, n)),
     page as (
       select h.id, h.distance_m, h.n, count(*) over () as total
       from hits h join station s on s.id = h.id where ${where}
       order by h.n limit ? offset ?)
     select ${SUMMARY_COLUMNS}, p.distance_m, p.total
     from page p join station s on s.id = p.id ${SLOT_COUNTS_JOIN}
     order by p.n`,
    [...params, page.limit, page.offset, page.minBattery],
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
