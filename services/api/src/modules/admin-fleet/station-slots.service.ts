import { sqlRows } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import type { Context } from '../../trpc/context.ts';
import type { StationSlotsInput, StationSlotsOutput } from './station-commands.schemas.ts';

/** Timestamps arrive as text from a raw query. */
type SlotRow = {
  status: StationSlotsOutput['status'];
  last_heartbeat_at: string | null;
  slot: number | null;
  slot_status: StationSlotsOutput['slots'][number]['status'] | null;
  serial: string | null;
  battery_level: number | null;
  updated_at: string | null;
};

/** A station's slots as station-core last wrote them: read from the database, never from a cache. */
export async function stationSlots(ctx: Context, input: StationSlotsInput): Promise<StationSlotsOutput> {
  const rows = await sqlRows<SlotRow>(
    ctx.em,
    `select s.status, s.last_heartbeat_at, ss.slot_index as slot, ss.status as slot_status,
            pb.serial_number as serial, ss.battery_level, ss.updated_at
       from station s
       left join station_slot ss on ss.station_id = s.id
       left join power_bank pb on pb.id = ss.power_bank_id
      where s.serial_number = $1
      order by ss.slot_index`,
    [input.stationSn],
  );
  const [first] = rows;
  if (!first) throw new DomainError('NOT_FOUND', `no station ${input.stationSn}`);
  return {
    stationSn: input.stationSn,
    status: first.status,
    lastHeartbeatAt: first.last_heartbeat_at === null ? null : new Date(first.last_heartbeat_at),
    slots: rows.flatMap((row) =>
      row.slot === null || row.slot_status === null || row.updated_at === null
        ? []
        : [
            {
              slot: row.slot,
              status: row.slot_status,
              powerBankSerial: row.serial,
              batteryLevel: row.battery_level,
              updatedAt: new Date(row.updated_at),
            },
          ],
    ),
  };
}
