import { wrap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Rental } from '@powerbank/db';
import { DomainError, formatMoney } from '@powerbank/domain';
import type { RentalRecord } from '@powerbank/rentals';
import type { RentalOutput } from './rentals.schemas.ts';

export const RENTAL_POPULATE = ['startStation', 'returnStation', 'powerBank'] as const;

/** A related row's serial when it was loaded (RENTAL_POPULATE), never a lazy query. */
const serialOf = (row: { serialNumber: string } | null | undefined) =>
  row && wrap(row).isInitialized() ? row.serialNumber : null;

/** What an answer shows of a rental's related rows: its package and the serials of its stations and power bank. */
export interface RentalLinks {
  packageId: number;
  startStationSn: string | null;
  returnStationSn: string | null;
  powerBankSerial: string | null;
}

type Optional = 'startSlotIndex' | 'failureReason' | 'startedAt' | 'dueAt' | 'returnedAt' | 'settledAt';
/** The rental's own fields an answer shows: a `RentalRecord` or a `Rental` entity both fit. */
type ShownRental = Pick<
  RentalRecord,
  | 'id'
  | 'status'
  | 'paymentMode'
  | 'currency'
  | 'prepaidAmount'
  | 'walletPaid'
  | 'pointsPaid'
  | 'overageAmount'
  | 'lateFeeAmount'
  | 'settledAmount'
  | 'dueAmount'
  | 'extensionCount'
  | 'createdAt'
> & { [K in Optional]?: RentalRecord[K] | undefined };

/** The answer for a rental. */
export function rentalAnswer(rental: ShownRental, links: RentalLinks): RentalOutput {
  const money = (amount: number) => formatMoney(amount, rental.currency);
  return {
    id: rental.id,
    status: rental.status,
    package_id: links.packageId,
    payment_mode: rental.paymentMode,
    start_station_sn: links.startStationSn,
    return_station_sn: links.returnStationSn,
    power_bank_serial: links.powerBankSerial,
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

/** The answer for a rental entity, its serials from the relations loaded with it (RENTAL_POPULATE). */
export function rentalOutput(rental: Rental): RentalOutput {
  return rentalAnswer(rental, {
    packageId: rental.package.id,
    startStationSn: serialOf(rental.startStation),
    returnStationSn: serialOf(rental.returnStation),
    powerBankSerial: serialOf(rental.powerBank),
  });
}

/** A rental of this user, as stored now; someone else's is 404 like a missing one (ids are not enumerable). */
export async function loadOwnRental(em: EntityManager, userId: string, id: string): Promise<Rental> {
  const rental = await em.findOne(Rental, { id, user: userId }, { populate: RENTAL_POPULATE, refresh: true });
  if (!rental) throw new DomainError('NOT_FOUND', 'no such rental');
  return rental;
}
