import type { DispenseFailureReason } from '@powerbank/protocol';

/**
 * What a rental asks of a station: one power bank, once per command id. An
 * admin's eject names the slot and has no rental: the power bank leaves the
 * station without being rented (a stuck one taken out by the operator).
 */
export interface DispenseRequest {
  commandId: string;
  rentalId?: string;
  slot?: number;
}

/**
 * What the station tells the rental. `late` marks a success the station
 * confirmed after the rental had already been told `timeout`: the user has
 * the power bank, so the rental must become active after all.
 */
export type DispenseResult =
  | { ok: true; commandId: string; rentalId?: string; slot: number; powerBankSerial: string; late?: boolean }
  | { ok: false; commandId: string; rentalId?: string; reason: DispenseFailureReason; detail?: string };

/** An eject sent to the station and not yet answered. */
export interface PendingEject extends DispenseRequest {
  slot: number;
  powerBankSerial: string;
}

/** An eject the station answered or that timed out, kept so the command id is never ejected twice. */
export interface SettledEject extends PendingEject {
  result: DispenseResult;
}
