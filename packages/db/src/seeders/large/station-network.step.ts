import { READY_BATTERY_PCT } from '../support/slot-state.ts';
import type { ChunkedStep } from './chunked-step.ts';
import { COUNTRY_BOX, metroValuesSql } from './geography.ts';
import { hashMod, hashUnit, intLiteral, seqTimestamp, seqUuid } from './sql-expressions.ts';

export const LARGE_STATION_PREFIX = 'PB-LG-';
export const LARGE_POWER_BANK_PREFIX = 'BANK-LG-';

/** Share of slots holding a power bank. */
const OCCUPIED_PCT = 70;
/** Slot numbers grow per station as n * 64 + slot (a station has at most 64 slots). */
const slotSeq = (n: string, slot: string) => `(${n}::bigint * 64 + ${slot})`;

const stationId = (n: string) => seqUuid('station', n);
const powerBankId = (seq: string) => seqUuid('power_bank', seq);
/** 8–24 slots; used by both steps, so the slots match each station's slot_count. */
const slotCount = (n: string) => `(8 + ${hashMod(n, 6, 17)})`;

/** Stations numbered first..last, 92% around metros, 94% online. */
export const stationsStep: ChunkedStep = {
  name: 'stations',
  unit: 'stations',
  statements: (first, last) => [
    `with metro(lo, hi, name, lat, lng, radius_km) as (values
    ${metroValuesSql()})
insert into station (id, serial_number, name, address, city, latitude, longitude, status, slot_count,
                     firmware_version, last_heartbeat_at, opening_hours, is_public, created_at, updated_at)
select ${stationId('n')},
       '${LARGE_STATION_PREFIX}' || lpad(n::text, 6, '0'),
       coalesce(metro.name, 'Highway') || ' station ' || n,
       (1 + ${hashMod('n', 4, 9999)}) || ' Main St, ' || coalesce(metro.name, 'Route ' || (1 + n % 99)),
       metro.name,
       case when metro.name is null then ${COUNTRY_BOX.south} + ${COUNTRY_BOX.north - COUNTRY_BOX.south} * h.u1
            else metro.lat + metro.radius_km * h.u1 * cos(2 * pi() * h.u2) / 111.32 end,
       case when metro.name is null then ${COUNTRY_BOX.west} + ${COUNTRY_BOX.east - COUNTRY_BOX.west} * h.u2
            else metro.lng + metro.radius_km * h.u1 * sin(2 * pi() * h.u2) / (111.32 * cos(radians(metro.lat))) end,
       case when h.state < 94 then 'online' when h.state < 97 then 'offline' else 'maintenance' end,
       ${slotCount('n')},
       '1.4.2',
       case when h.state < 94 then ${seqTimestamp('n')} end,
       '24/7',
       true,
       ${seqTimestamp('n')},
       ${seqTimestamp('n')}
  from generate_series(${intLiteral(first)}, ${intLiteral(last)}) as n
 cross join lateral (select ${hashMod('n', 1, 100)} as pick, ${hashUnit('n', 2)} as u1, ${hashUnit('n', 3)} as u2,
                            ${hashMod('n', 5, 100)} as state) as h
  left join metro on h.pick >= metro.lo and h.pick < metro.hi
    on conflict do nothing`,
  ],
  doneCheck: (last) =>
    `select exists (select 1 from station where id = ${stationId(intLiteral(last))}) as done`,
};

/** Every slot of stations first..last, as rows n, slot, seq, occupied, battery; pure functions of (n, slot). */
const slotsOf = (
  first: number,
  last: number,
) => `generate_series(${intLiteral(first)}, ${intLiteral(last)}) as n
 cross join lateral generate_series(1, ${slotCount('n')}) as slot
 cross join lateral (select ${slotSeq('n', 'slot')} as seq) as s
 cross join lateral (select ${hashMod('s.seq', 7, 100)} < ${OCCUPIED_PCT} as occupied,
                            5 + ${hashMod('s.seq', 8, 96)} as battery) as b`;

/**
 * Power banks, then the slots holding them: a slot with a power bank is
 * `ready` from READY_BATTERY_PCT up, else `charging`; the power bank points
 * back at its station and slot, as in the demo data.
 */
export const slotsStep: ChunkedStep = {
  name: 'slots + power banks',
  unit: 'stations',
  statements: (first, last) => [
    `insert into power_bank (id, serial_number, status, battery_level, current_station_id, current_slot_index,
                        charge_cycles, last_seen_at, created_at, updated_at)
select ${powerBankId('s.seq')},
       '${LARGE_POWER_BANK_PREFIX}' || lpad(n::text, 6, '0') || '-' || lpad(slot::text, 2, '0'),
       'in_slot', b.battery, ${stationId('n')}, slot, ${hashMod('s.seq', 9, 300)},
       ${seqTimestamp('n')}, ${seqTimestamp('s.seq')}, ${seqTimestamp('s.seq')}
  from ${slotsOf(first, last)}
 where b.occupied
    on conflict do nothing`,
    `insert into station_slot (id, station_id, slot_index, status, power_bank_id, battery_level,
                          last_changed_at, created_at, updated_at)
select ${seqUuid('slot', 's.seq')}, ${stationId('n')}, slot,
       case when not b.occupied then 'empty' when b.battery >= ${READY_BATTERY_PCT} then 'ready' else 'charging' end,
       case when b.occupied then ${powerBankId('s.seq')} end,
       case when b.occupied then b.battery end,
       ${seqTimestamp('s.seq')}, ${seqTimestamp('s.seq')}, ${seqTimestamp('s.seq')}
  from ${slotsOf(first, last)}
    on conflict do nothing`,
  ],
  // Slots are written by one statement per chunk, so the last station having slots means the chunk is done.
  doneCheck: (last) =>
    `select exists (select 1 from station_slot where station_id = ${stationId(intLiteral(last))}) as done`,
};
