import {
  type DispenseResult,
  findPowerBank,
  type StationContext,
  type StationState,
} from '@powerbank/machines';
import type { StationChangedEvent } from '@powerbank/protocol';

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
  /** The power bank row must be (re)placed here: it is new in this slot, or its charge changed. */
  placeBank: boolean;
  /**
   * When the station put the bank here (epoch ms, `ReturnReport.at`), if this change is its
   * return: what a reconciled return is billed to, should the return event be missed.
   */
  placedAt?: number;
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
 * Whether the Station row would show something else after the change (status,
 * heartbeat, firmware, slot count). Slot and eject events leave it as it was.
 */
export function stationRowChanged(
  before: { state: StationState; context: StationContext },
  after: { state: StationState; context: StationContext },
): boolean {
  return (
    before.state !== after.state ||
    before.context.lastHeartbeatAt !== after.context.lastHeartbeatAt ||
    before.context.firmware !== after.context.firmware ||
    before.context.slots.length !== after.context.slots.length
  );
}

/**
 * The slot rows to write: only slots that changed (none in the common
 * heartbeat case, which then costs only the station row and the snapshot; one
 * when a slot starts ejecting), all of them for a station written first.
 * `placedAt`: the banks this change returned, by serial, with when the station put them there.
 */
export function changedSlotRows(
  sn: string,
  before: StationContext | undefined,
  after: StationContext,
  placedAt: ReadonlyMap<string, number> = new Map(),
): SlotRow[] {
  const previous = new Map((before?.slots ?? []).map((slot) => [slot.slot, slot]));
  const rows: SlotRow[] = [];
  for (const slot of after.slots) {
    const old = previous.get(slot.slot);
    if (old && JSON.stringify(old) === JSON.stringify(slot)) continue;
    const serial = slot.powerBank?.serial ?? null;
    const battery = slot.powerBank?.battery ?? null;
    const placeBank =
      serial !== null &&
      (!old || old.powerBank?.serial !== serial || (old.powerBank?.battery ?? null) !== battery);
    const row: SlotRow = {
      sn,
      slotIndex: slot.slot,
      status: slot.state,
      powerBankSerial: serial,
      battery,
      placeBank,
    };
    const at = placeBank ? placedAt.get(serial) : undefined;
    if (at !== undefined) row.placedAt = at;
    rows.push(row);
  }
  return rows;
}

/** What `core.evt.station` tells of a station after a change: its status and every slot. */
export function stationChangedEvent(
  sn: string,
  state: StationState,
  context: StationContext,
): StationChangedEvent {
  return {
    sn,
    status: state,
    lastHeartbeatAt: context.lastHeartbeatAt,
    slots: context.slots.map((slot) => ({
      slot: slot.slot,
      state: slot.state,
      powerBankSerial: slot.powerBank?.serial ?? null,
      battery: slot.powerBank?.battery ?? null,
    })),
  };
}

/**
 * The power banks a change's dispense results took out, with the rental each went to. A success
 * told after the bank was put back (a late result, overtaken by the return) leaves it where it is:
 * it is in a slot, not rented, and the rental timers return the rental there.
 */
export function rentedBanks(
  results: readonly DispenseResult[],
  after: StationContext,
): { serial: string; rentalId: string }[] {
  return results.flatMap((r) =>
    r.ok && r.rentalId && !findPowerBank(after.slots, r.powerBankSerial)
      ? [{ serial: r.powerBankSerial, rentalId: r.rentalId }]
      : [],
  );
}
