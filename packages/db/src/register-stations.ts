import { inlined } from './sql-literal.ts';

/** A station as provisioning knows it before it ever spoke: its serial number and slot count. */
export interface StationToRegister {
  sn: string;
  slotCount: number;
}

/**
 * Registers stations that are not yet in the `station` table, with their empty slots (hidden
 * from the map, `offline`, until an admin places them and they say hello). station-core refuses events from serials it
 * does not find there, so a station is registered (and given broker credentials) before it
 * connects. Registering one already there changes nothing.
 */
export async function registerStations(
  /** Runs one SQL text (values inlined): a SqlPool's, pg's or the ORM connection's query all fit. */
  run: (text: string) => Promise<unknown>,
  stations: StationToRegister[],
): Promise<void> {
  if (stations.length === 0) return;
  const text = inlined({
    // The station and its empty slots, as station-core's actor starts from them (its first hello
    // writes only the slots that differ).
    text: `with stations as (
       insert into station (id, serial_number, name, address, latitude, longitude, status, slot_count, is_public, created_at, updated_at)
       select gen_random_uuid(), x.sn, x.sn, 'unplaced', 0, 0, 'offline', x.slot_count, false, now(), now()
         from jsonb_to_recordset($1::jsonb) as x(sn text, slot_count int)
       on conflict (serial_number) do nothing
       returning id, slot_count)
     insert into station_slot (id, station_id, slot_index, status, last_changed_at, created_at, updated_at)
     select gen_random_uuid(), s.id, i, 'empty', now(), now(), now()
       from stations s, generate_series(1, s.slot_count) as i`,
    // JSON text, as the bound path would need it too (it would send an array as a Postgres array).
    values: [JSON.stringify(stations.map((s) => ({ sn: s.sn, slot_count: s.slotCount })))],
  });
  await run(text);
}
