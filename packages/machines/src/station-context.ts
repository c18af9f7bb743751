import type { DispenseRequest, PendingEject, SettledEject } from './dispense.ts';
import { DEFAULT_BATTERY_THRESHOLD, emptySlots, type StationSlot } from './slots.ts';

export interface StationInput {
  sn: string;
  /** Minimum charge, in percent, for a power bank to be rented (AppConfig). */
  batteryThreshold?: number;
  /** Slots known before the first `hello` (from the database); a `hello` replaces them. */
  slotCount?: number;
  /** How many message ids and settled commands are remembered for de-duplication. */
  historySize?: number;
}

export interface StationContext {
  sn: string;
  batteryThreshold: number;
  historySize: number;
  firmware: string | null;
  slots: StationSlot[];
  /** Highest seq accepted from the station (status messages keep their own order). */
  lastSeq: number;
  /**
   * Per slot, the seq of the message that last set it (hello, slot event, eject result).
   * Messages of one station can reach core out of order (several bridge connections relay
   * in parallel), so a slot is ordered by its own messages, not by the newest seq overall.
   */
  slotSeqs: Record<number, number>;
  /** Seq of the last hello applied: an older connection's snapshot arriving late is stale. */
  helloSeq: number;
  lastStatus: { seq: number; state: 'online' | 'offline' } | null;
  /** Most recent first, at most `historySize`. */
  seenMsgIds: string[];
  pendingEjects: Record<string, PendingEject>;
  /** Most recent first, at most `historySize`. */
  settledEjects: SettledEject[];
  /** Cloud time of the last message from the station; the runtime's heartbeat watchdog reads it. */
  lastHeartbeatAt: number | null;
  /** Whether the link is up; kept apart from the state so maintenance remembers it. */
  connected: boolean;
}

export const DEFAULT_HISTORY_SIZE = 64;

export function initialStationContext(input: StationInput): StationContext {
  return {
    sn: input.sn,
    batteryThreshold: input.batteryThreshold ?? DEFAULT_BATTERY_THRESHOLD,
    historySize: input.historySize ?? DEFAULT_HISTORY_SIZE,
    firmware: null,
    slots: emptySlots(input.slotCount ?? 0),
    lastSeq: -1,
    slotSeqs: {},
    helloSeq: -1,
    lastStatus: null,
    seenMsgIds: [],
    pendingEjects: {},
    settledEjects: [],
    lastHeartbeatAt: null,
    connected: false,
  };
}

/** A persisted context, with the fields added since it was written set to "nothing seen yet". */
export function restoredStationContext(stored: StationContext): StationContext {
  return { ...stored, slotSeqs: stored.slotSeqs ?? {}, helloSeq: stored.helloSeq ?? -1 };
}

/** The seq of the message that last set `slot`; -1 if none did. */
export function slotSeq(context: StationContext, slot: number): number {
  return context.slotSeqs[slot] ?? -1;
}

/** The eject this command id already caused, if any: pending or settled. */
export function knownEject(
  context: StationContext,
  commandId: DispenseRequest['commandId'],
): PendingEject | SettledEject | undefined {
  return context.pendingEjects[commandId] ?? context.settledEjects.find((e) => e.commandId === commandId);
}
