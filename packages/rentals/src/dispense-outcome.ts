import type { EntityManager } from '@mikro-orm/postgresql';
import type { RentalEvent } from '@powerbank/machines';
import { type Applied, applyEventTo, applyRentalEvent } from './rental-events.ts';

/** A `core.dispense` reply or `core.evt.dispense` message, as both carry it. */
export type DispenseOutcome =
  | { ok: true; slot: number; powerBankSerial: string; late?: boolean }
  | { ok: false; reason: string; detail?: string };

/**
 * Applies a station's dispense outcome to its rental. Called by the api with
 * the reply it got and by the rental runner with the event every outcome
 * publishes (including a late success after a timeout); whichever comes
 * second changes nothing.
 */
export function applyDispenseOutcome(
  em: EntityManager,
  rentalId: string,
  outcome: DispenseOutcome,
): Promise<Applied> {
  const event: RentalEvent = outcome.ok
    ? { type: 'DISPENSED', slot: outcome.slot, powerBankSerial: outcome.powerBankSerial, late: outcome.late }
    : { type: 'DISPENSE_FAILED', reason: outcome.reason };
  return applyRentalEvent(em, rentalId, event);
}

/**
 * Applies a power bank put into a slot: the open rental holding it (if any)
 * is returned and settled as of `report.at`, when the station put it there —
 * not when this runs, which a backlog can make much later. The rental is found
 * by the statement that locks it (`LOCK_OPEN_WITH_BANK`), not by a lookup before.
 */
export function applyPowerBankReturn(
  em: EntityManager,
  report: { sn: string; slot: number; powerBankSerial: string; at: number },
): Promise<Applied | null> {
  return applyEventTo(
    em,
    { openWithBank: report.powerBankSerial },
    { type: 'RETURNED', stationSn: report.sn, slot: report.slot, at: report.at },
  );
}
