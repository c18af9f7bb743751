import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type DB,
  jsonArrayFrom,
  jsonBuildObject,
  type Kysely,
  prepared,
  READ_REPLICA,
  runPrepared,
  sql,
} from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { appConfigNumber, type LazyEntityManager, managerOf } from '../../platform/app-config.ts';
import { offsetOf, pageOf } from '../../platform/pagination.ts';
import type { StaticCache } from '../../platform/static-cache.ts';
import type { StationDirectorySource } from './station-directory.source.ts';
import type { DirectoryStation } from './station-directory.ts';
import { canRentNow, containsPattern, isListed, stationSummaries, toSummary } from './station-queries.ts';
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

/** Listed stations by name, filtered, one page, each with its available and free counts. */
export async function listStations(
  em: EntityManager,
  cache: StaticCache,
  input: StationListInput,
): Promise<StationListOutput> {
  const minBattery = await minRentalBattery(em, cache);
  const shape = LIST_PAGES[listShape(input)];
  if (!shape) throw new Error('no query for these filters');
  const params = {
    status: input.status ?? 'online',
    city: input.city ?? '',
    search: input.search ? containsPattern(input.search) : '',
    minBattery,
    limit: input.page_size,
    offset: offsetOf(input),
  };
  const rows = await runPrepared(em, shape.page, params, READ_REPLICA);
  const total = rows[0]
    ? Number(rows[0].total)
    : Number((await runPrepared(em, shape.count, params, READ_REPLICA))[0]?.n ?? 0);
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
 *
 * Answered from memory while the station's directory entry is the same: the
 * directory replaces a station's entry whenever a row the page is read from
 * changes (the station, its slots, media or amenity links; `station-directory.source.ts`),
 * so a page kept per entry is exactly as fresh as the nearby answer that led
 * to it, and a station page is read from the database once per change rather
 * than once per visit. A station the directory does not know yet is read as before.
 */
export async function getStation(
  em: LazyEntityManager,
  cache: StaticCache,
  stations: StationDirectorySource,
  input: StationBySnInput,
): Promise<StationDetail> {
  const [minBattery, directory] = await Promise.all([minRentalBattery(em, cache), stations.get()]);
  const entry = directory.bySn(input.sn);
  const kept = entry && detailOf.get(entry);
  if (kept && kept.minBattery === minBattery) return kept.detail;
  const manager = managerOf(em);
  if (!entry) return readStation(manager, input.sn, minBattery, READ_REPLICA);
  // From the primary, as the directory reads: a replica behind it would keep an older page
  // under the newer entry until the station changes again.
  const detail = await readStation(manager, input.sn, minBattery, 'write');
  detailOf.set(entry, { minBattery, detail });
  return detail;
}

/** Station pages by the directory entry they were read for; an entry replaced drops its page. */
const detailOf = new WeakMap<DirectoryStation, { minBattery: number; detail: StationDetail }>();

async function readStation(
  em: EntityManager,
  sn: string,
  minBattery: number,
  connection: 'read' | 'write',
): Promise<StationDetail> {
  const rows = await runPrepared(em, STATION_DETAIL, { sn, minBattery }, connection);
  const row = rows[0];
  if (!row) throw new DomainError('NOT_FOUND', `no station ${sn}`);
  const { imageUrl: _image, amenityCodes: _codes, ...summary } = toSummary(row);
  return {
    ...summary,
    openingHours: row.opening_hours,
    description: row.description,
    slots: row.slots as StationDetail['slots'],
    media: row.media as StationDetail['media'],
    amenities: row.amenities as StationDetail['amenities'],
  };
}

/** The filters a station list was given: each combination is one query shape, compiled once. */
interface ListFilters {
  status: boolean;
  city: boolean;
  search: boolean;
  availableOnly: boolean;
}
interface ListParams {
  status: NonNullable<DB['station']['status']>;
  city: string;
  search: string;
  minBattery: number;
  limit: number;
  offset: number;
}

const listShape = (input: StationListInput) =>
  (input.status ? 1 : 0) | (input.city ? 2 : 0) | (input.search ? 4 : 0) | (input.available_only ? 8 : 0);

/** The listed stations matching `filters`, in station `s`. */
const matching = (db: Kysely<DB>, filters: ListFilters, p: ListParams) => {
  let query = db.selectFrom('station as s').where(isListed);
  if (filters.status) query = query.where('s.status', '=', p.status);
  if (filters.city)
    query = query.where((eb) => eb(eb.fn('lower', ['s.city']), '=', eb.fn('lower', [eb.val(p.city)])));
  if (filters.search) query = query.where('s.name', 'ilike', p.search);
  if (filters.availableOnly) {
    query = query
      .where('s.status', '=', 'online')
      .where((eb) => eb.exists(canRentNow(db, eb.ref('s.id'), p.minBattery)));
  }
  return query;
};

/** A page of the list (the window count over the matching ids only; the per-station work for one page) and the count alone. */
const listQueries = (filters: ListFilters) => ({
  page: prepared((db, p: ListParams) =>
    stationSummaries(db, p.minBattery)
      .innerJoin(
        matching(db, filters, p)
          .select((eb) => ['s.id', eb.fn.countAll<string>().over().as('total')])
          .orderBy('s.name')
          .orderBy('s.serial_number')
          .limit(p.limit)
          .offset(p.offset)
          .as('p'),
        'p.id',
        's.id',
      )
      .select('p.total')
      .orderBy('s.name')
      .orderBy('s.serial_number'),
  ),
  count: prepared((db, p: ListParams) =>
    matching(db, filters, p).select((eb) => eb.fn.countAll<string>().as('n')),
  ),
});

/** Every combination of filters, by `listShape`'s number. */
const LIST_PAGES = Array.from({ length: 16 }, (_, shape) =>
  listQueries({
    status: (shape & 1) !== 0,
    city: (shape & 2) !== 0,
    search: (shape & 4) !== 0,
    availableOnly: (shape & 8) !== 0,
  }),
);

/** One station by serial number with its slots, media and amenities. */
const STATION_DETAIL = prepared((db, p: { sn: string; minBattery: number }) =>
  stationSummaries(db, p.minBattery)
    .select((eb) => [
      's.opening_hours',
      's.description',
      jsonArrayFrom(
        eb
          .selectFrom('station_slot as ss')
          .leftJoin('power_bank as pb', 'pb.id', 'ss.power_bank_id')
          .select((x) => [
            'ss.slot_index as slotIndex',
            'ss.status',
            'ss.battery_level as batteryLevel',
            x
              .case()
              .when('pb.id', 'is', null)
              .then(sql<null>`null`)
              .else(jsonBuildObject({ model: x.ref('pb.model'), capacityMah: x.ref('pb.capacity_mah') }))
              .end()
              .as('powerBank'),
          ])
          .whereRef('ss.station_id', '=', 's.id')
          .orderBy('ss.slot_index'),
      ).as('slots'),
      jsonArrayFrom(
        eb
          .selectFrom('station_media as m')
          .select(['m.type', 'm.url', 'm.is_primary as isPrimary'])
          .whereRef('m.station_id', '=', 's.id')
          .orderBy('m.is_primary', 'desc')
          .orderBy('m.sort_order')
          .orderBy('m.created_at'),
      ).as('media'),
      jsonArrayFrom(
        eb
          .selectFrom('station_amenity_mapping as am')
          .innerJoin('station_amenity as a', 'a.id', 'am.amenity_id')
          .select(['a.code', 'a.name', 'a.icon', 'am.note'])
          .whereRef('am.station_id', '=', 's.id')
          .orderBy('a.name'),
      ).as('amenities'),
    ])
    .where('s.serial_number', '=', p.sn)
    .where('s.status', '<>', 'decommissioned'),
);
