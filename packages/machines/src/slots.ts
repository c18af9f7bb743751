import type { PowerBankInSlot } from '@powerbank/protocol';

/** What the cloud knows about one slot. `charging`/`ready` both hold a power bank; the battery threshold tells them apart. */
export type SlotState = 'empty' | 'charging' | 'ready' | 'ejecting' | 'faulty' | 'locked';

export interface StationSlot {
  /** 1-based, as printed on the station. */
  slot: number;
  state: SlotState;
  /** The power bank in the slot, as far as the cloud knows (kept while locked, faulty or ejecting). */
  powerBank?: PowerBankInSlot;
  /** The eject in flight for this slot, while `ejecting`. */
  commandId?: string;
  /** The station's fault code, while `faulty`. */
  error?: string;
}

export const DEFAULT_BATTERY_THRESHOLD = 20;

export function emptySlots(count: number): StationSlot[] {
  return Array.from({ length: count }, (_, i) => ({ slot: i + 1, state: 'empty' }));
}

/** The resting state of a slot from its content alone: ready if charged enough to rent, charging if not. */
export function restingState(powerBank: PowerBankInSlot | undefined, threshold: number): SlotState {
  if (!powerBank) return 'empty';
  return powerBank.battery >= threshold ? 'ready' : 'charging';
}

/** A slot put back to its resting state, forgetting any eject or fault. */
export function restSlot(slot: StationSlot, threshold: number): StationSlot {
  const rested: StationSlot = { slot: slot.slot, state: restingState(slot.powerBank, threshold) };
  if (slot.powerBank) rested.powerBank = slot.powerBank;
  return rested;
}

/**
 * The slot to eject for a rental: a ready power bank with at least `threshold`
 * percent, highest charge first (lowest slot number on a tie, so the choice is
 * stable). Slots with an eject in flight are never chosen.
 */
export function chooseSlotForDispense(
  slots: readonly StationSlot[],
  threshold: number,
): (StationSlot & { powerBank: PowerBankInSlot }) | undefined {
  let best: (StationSlot & { powerBank: PowerBankInSlot }) | undefined;
  for (const slot of slots) {
    if (slot.state !== 'ready' || !slot.powerBank || slot.commandId) continue;
    if (slot.powerBank.battery < threshold) continue;
    if (!best || slot.powerBank.battery > best.powerBank.battery) {
      best = slot as StationSlot & { powerBank: PowerBankInSlot };
    }
  }
  return best;
}

/**
 * The slot an admin named for an eject, if it holds a power bank that may be
 * ejected now: not locked (the latch is closed on purpose), not mid-eject.
 * Charge does not matter: the operator is taking it out, not renting it.
 */
export function slotForAdminEject(
  slots: readonly StationSlot[],
  slot: number,
): (StationSlot & { powerBank: PowerBankInSlot }) | undefined {
  const chosen = slots.find((s) => s.slot === slot);
  if (!chosen?.powerBank || chosen.commandId) return undefined;
  if (chosen.state === 'locked' || chosen.state === 'ejecting') return undefined;
  return chosen as StationSlot & { powerBank: PowerBankInSlot };
}

/** Where a power bank is in this station, if anywhere. */
export function findPowerBank(slots: readonly StationSlot[], serial: string): StationSlot | undefined {
  return slots.find((s) => s.powerBank?.serial === serial);
}

export function replaceSlot(slots: readonly StationSlot[], next: StationSlot): StationSlot[] {
  return slots.map((s) => (s.slot === next.slot ? next : s));
}

/** The slot without its power bank; a slot that only rested on that power bank becomes empty. */
export function withoutPowerBank(slot: StationSlot): StationSlot {
  const { powerBank: _gone, ...rest } = slot;
  if (rest.state === 'ready' || rest.state === 'charging') return { ...rest, state: 'empty' };
  return rest;
}
