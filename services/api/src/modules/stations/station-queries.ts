import { JsonDate } from '../../platform/json-date.ts';

/**
 * SQL shared by every station read: one statement per request, with the slot
 * counts, first image and amenity codes computed per returned station inside it
 * (lateral joins and scalar subqueries on indexed foreign keys), never one query
 * per station.
 */

/** The first image of station `s`, primary first. */
export const IMAGE_URL = `(select m.url from station_media m
    where m.station_id = s.id and m.type = 'image'
    order by m.is_primary desc, m.sort_order, m.created_at limit 1)`;

/** The amenity codes of station `s`, as a text array. */
export const AMENITY_CODES = `array(select a.code::text from station_amenity_mapping am
    join station_amenity a on a.id = am.amenity_id
    where am.station_id = s.id order by a.code)`;

/** Columns of a `StationSummary`; needs `s` (station) and `c` (from `SLOT_COUNTS_JOIN`). */
export const SUMMARY_COLUMNS = `
  s.serial_number as sn, s.name, s.address, s.city, s.latitude, s.longitude, s.status,
  s.slot_count, s.last_heartbeat_at,
  c.available::int as available, c.free::int as free,
  ${IMAGE_URL} as image_url,
  ${AMENITY_CODES} as amenity_codes`;

/**
 * Available power banks (ready, charged at least the minimum: bind that as the
 * one parameter) and free slots of station `s`, read from the (station, status) index.
 */
export const SLOT_COUNTS_JOIN = `
  left join lateral (
    select count(*) filter (where ss.status = 'ready' and ss.battery_level >= ?) as available,
           count(*) filter (where ss.status = 'empty') as free
    from station_slot ss where ss.station_id = s.id
  ) c on true`;

/** Whether station `s` can rent right now (bind the battery minimum). */
export const CAN_RENT_NOW = `
  s.status = 'online' and exists (
    select 1 from station_slot ss
    where ss.station_id = s.id and ss.status = 'ready' and ss.battery_level >= ?)`;

/** Shown to the app at all: public and not decommissioned (a decommissioned station is gone). */
export const LISTED = `s.is_public and s.status <> 'decommissioned'`;

export interface SummaryRow {
  sn: string;
  name: string;
  address: string;
  city: string | null;
  latitude: number;
  longitude: number;
  status: 'online' | 'offline' | 'maintenance' | 'decommissioned';
  slot_count: number;
  /** The ORM's driver leaves timestamps as text in raw results. */
  last_heartbeat_at: string | Date | null;
  available: number;
  free: number;
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
    latitude: row.latitude,
    longitude: row.longitude,
    status: row.status,
    slotCount: row.slot_count,
    imageUrl: row.image_url,
    amenityCodes: row.amenity_codes,
    lastHeartbeatAt: row.last_heartbeat_at === null ? null : new JsonDate(row.last_heartbeat_at),
  };
}
export type StationFields = ReturnType<typeof stationFields>;

export function toSummary(row: SummaryRow) {
  return { ...stationFields(row), availablePowerBanks: row.available, freeSlots: row.free };
}

/** A user's text for `ilike`, matched literally (its `%`, `_` and `\` are not wildcards). */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
