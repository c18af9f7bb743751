import type { StationContext, StationState } from '@powerbank/machines';

/** What the Station row shows of an actor's state. */
export interface StationRowChange {
  sn: string;
  status: StationState;
  lastHeartbeatAt: Date | null;
  firmware: string | null;
  slotCount: number;
}

/** One StationSlot row as the actor sees it. */
export interface SlotRow {
  sn: string;
  slotIndex: number;
  status: string;
  powerBankSerial: string | null;
  battery: number | null;
}

export function stationRow(sn: string, state: StationState, context: StationContext): StationRowChange {
  return {
    sn,
    status: state,
    lastHeartbeatAt: context.lastHeartbeatAt === null ? null : new Date(context.lastHeartbeatAt),
    firmware: context.firmware,
    slotCount: context.slots.length,
  };
}

/**
 * The slot rows to write, or none when the slots did not change (the common
 * heartbeat case, which then costs only the station row and the snapshot).
 */
export function changedSlotRows(
  sn: string,
  before: StationContext | undefined,
  after: StationContext,
): SlotRow[] {
  if (before && JSON.stringify(before.slots) === JSON.stringify(after.slots)) return [];
  return after.slots.map((slot) => ({
    sn,
    slotIndex: slot.slot,
    status: slot.state,
    powerBankSerial: slot.powerBank?.serial ?? null,
    battery: slot.powerBank?.battery ?? null,
  }));
}
