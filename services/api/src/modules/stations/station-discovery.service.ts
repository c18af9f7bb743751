import type { EntityManager } from '@mikro-orm/postgresql';
import { READ_REPLICA } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { appConfigNumber, type LazyEntityManager } from '../../platform/app-config.ts';
import { offsetOf, pageOf } from '../../platform/pagination.ts';
import type { StaticCache } from '../../platform/static-cache.ts';
import type { StationDirectorySource } from './station-directory.source.ts';
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
export function minRentalBattery(em: LazyEntityManager, cache: StaticCache): Promise<number> {
  return appConfigNumber(em, cache, 'rental_min_battery_pct', DEFAULT_MIN_BATTERY_PCT);
}

/**
 * Listed stations by name, filtered, one page, each with its available and free counts. Discovery
 * reads (this, `getStation`) come from the read replica when there is one: counts a moment old.
 */
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
  const rows = await em.getConnection(READ_REPLICA).execute<(SummaryRow & { total: string })[]>(
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
 * Listed stations within `radius` meters, nearest first, from this instance's
 * in-memory station directory (positions in a KD-tree; statuses and counts kept
 * current from the rows written since its last look): no query per request.
 */
export async function findNearbyStations(
  em: LazyEntityManager,
  cache: StaticCache,
  stations: StationDirectorySource,
  input: NearbyInput,
): Promise<NearbyOutput> {
  const [minBattery, directory] = await Promise.all([minRentalBattery(em, cache), stations.get()]);
  const { results, total } = directory.nearby(
    {
      lat: input.lat,
      lng: input.lng,
      radiusM: input.radius,
      minBattery,
      availableOnly: input.available_only === true,
    },
    offsetOf(input),
    input.page_size,
  );
  return pageOf(results, input, total);
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
  const rows = await em.getConnection(READ_REPLICA).execute<
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
  const [row] = await em.getConnection(READ_REPLICA).execute<{ n: string }[]>(sql, params);
  return Number(row?.n ?? 0);
}
