import { wrap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Rental } from '@powerbank/db';
import { DomainError, formatMoney } from '@powerbank/domain';
import type { RentalOutput } from './rentals.schemas.ts';

export const RENTAL_POPULATE = ['startStation', 'returnStation', 'powerBank'] as const;

/** A related row's serial when it was loaded (RENTAL_POPULATE), never a lazy query. */
const serialOf = (row: { serialNumber: string } | null | undefined) =>
  row && wrap(row).isInitialized() ? row.serialNumber : null;

/**
 * The answer for a rental. `startStationSn` stands in for the start station
 * when it was not loaded but the caller knows its serial.
 */
export function rentalOutput(rental: Rental, known: { startStationSn?: string } = {}): RentalOutput {
  const money = (amount: number) => formatMoney(amount, rental.currency);
  return {
    id: rental.id,
    status: rental.status,
    package_id: rental.package.id,
    payment_mode: rental.paymentMode,
    start_station_sn: serialOf(rental.startStation) ?? known.startStationSn ?? null,
    return_station_sn: serialOf(rental.returnStation),
    power_bank_serial: serialOf(rental.powerBank),
    slot: rental.startSlotIndex ?? null,
    prepaid: money(rental.prepaidAmount),
    wallet_paid: money(rental.walletPaid),
    points_paid: rental.pointsPaid,
    overage: money(rental.overageAmount),
    late_fee: money(rental.lateFeeAmount),
    settled: money(rental.settledAmount),
    due: money(rental.dueAmount),
    extension_count: rental.extensionCount,
    failure_reason: rental.failureReason ?? null,
    started_at: rental.startedAt ?? null,
    due_at: rental.dueAt ?? null,
    returned_at: rental.returnedAt ?? null,
    settled_at: rental.settledAt ?? null,
    created_at: rental.createdAt,
  };
}

/** A rental of this user, as stored now; someone else's is 404 like a missing one (ids are not enumerable). */
export async function loadOwnRental(em: EntityManager, userId: string, id: string): Promise<Rental> {
  const rental = await em.findOne(Rental, { id, user: userId }, { populate: RENTAL_POPULATE, refresh: true });
  if (!rental) throw new DomainError('NOT_FOUND', 'no such rental');
  return rental;
}
