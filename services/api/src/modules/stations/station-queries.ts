import { type DB, type Expression, type ExpressionBuilder, type Kysely, sql } from '@powerbank/db';
import { JsonDate } from '../../platform/json-date.ts';

/**
 * Queries shared by every station read, typed from the entities: one statement per request, with
 * the slot counts, first image and amenity codes computed per returned station inside it (lateral
 * joins and scalar subqueries on indexed foreign keys), never one query per station.
 */

/** The first image of a station, primary first. */
export const imageUrl = (db: Kysely<DB>, stationId: Expression<string>) =>
  db
    .selectFrom('station_media as m')
    .select('m.url')
    .where('m.station_id', '=', stationId)
    .where('m.type', '=', 'image')
    .orderBy('m.is_primary', 'desc')
    .orderBy('m.sort_order')
    .orderBy('m.created_at')
    .limit(1);

/** The amenity codes of a station, as a text array. */
export const amenityCodes = (db: Kysely<DB>, stationId: Expression<string>) =>
  sql<string[]>`array(${db
    .selectFrom('station_amenity_mapping as am')
    .innerJoin('station_amenity as a', 'a.id', 'am.amenity_id')
    .select((eb) => eb.cast<string>('a.code', 'text').as('code'))
    .where('am.station_id', '=', stationId)
    .orderBy('a.code')})`;

/**
 * Station `s` with the columns of a `StationSummary`: available power banks (ready, charged at
 * least `minBattery`) and free slots counted by a lateral join on the (station, status) index.
 */
export const stationSummaries = (db: Kysely<DB>, minBattery: number) =>
  db
    .selectFrom('station as s')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('station_slot as ss')
          .select((c) => [
            c.fn
              .countAll<number>()
              .filterWhere((f) =>
                f.and([f('ss.status', '=', 'ready'), f('ss.battery_level', '>=', minBattery)]),
              )
              .as('available'),
            c.fn.countAll<number>().filterWhere('ss.status', '=', 'empty').as('free'),
          ])
          .whereRef('ss.station_id', '=', 's.id')
          .as('c'),
      (join) => join.onTrue(),
    )
    .select((eb) => [
      's.serial_number as sn',
      's.name',
      's.address',
      's.city',
      's.latitude',
      's.longitude',
      's.status',
      's.slot_count',
      's.last_heartbeat_at',
      eb.cast<number>('c.available', 'integer').as('available'),
      eb.cast<number>('c.free', 'integer').as('free'),
      imageUrl(db, eb.ref('s.id')).as('image_url'),
      amenityCodes(db, eb.ref('s.id')).as('amenity_codes'),
    ]);

/** Shown to the app at all: public and not decommissioned (a decommissioned station is gone). */
export const isListed = (eb: ExpressionBuilder<DB & { s: DB['station'] }, 's'>) =>
  eb.and([eb('s.is_public', '=', true), eb('s.status', '<>', 'decommissioned')]);

/** Whether station `s` can rent right now: online, with a ready power bank charged at least `minBattery`. */
export const canRentNow = (db: Kysely<DB>, stationId: Expression<string>, minBattery: number) =>
  db
    .selectFrom('station_slot as ss')
    .select(sql.lit(1).as('one'))
    .where('ss.station_id', '=', stationId)
    .where('ss.status', '=', 'ready')
    .where('ss.battery_level', '>=', minBattery);

export interface SummaryRow {
  sn: string;
  name: string;
  address: string;
  city: string | null;
  /** Numbers may come as text from the typed path (`Wire`). */
  latitude: number | string;
  longitude: number | string;
  status: 'online' | 'offline' | 'maintenance' | 'decommissioned';
  slot_count: number | string;
  /** The ORM's driver leaves timestamps as text in raw results. */
  last_heartbeat_at: string | Date | null;
  available: number | string;
  free: number | string;
  image_url: string | null;
  amenity_codes: string[];
}

/** A station's own fields of a `StationSummary` (all but the counts), from its row. */
export function stationFields(row: Omit<SummaryRow, 'available' | 'free'>) {
  return {
    sn: row.sn,
    name: row.name,
    address: row.address,
    city: row.city,
    latitude: Number(row.latitude),
    longitude: Number(row.longitude),
    status: row.status,
    slotCount: Number(row.slot_count),
    imageUrl: row.image_url,
    amenityCodes: row.amenity_codes,
    lastHeartbeatAt: row.last_heartbeat_at === null ? null : new JsonDate(row.last_heartbeat_at),
  };
}
export type StationFields = ReturnType<typeof stationFields>;

export function toSummary(row: SummaryRow) {
  return { ...stationFields(row), availablePowerBanks: Number(row.available), freeSlots: Number(row.free) };
}

/** A user's text for `ilike`, matched literally (its `%`, `_` and `\` are not wildcards). */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
