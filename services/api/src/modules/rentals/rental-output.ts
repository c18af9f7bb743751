import type { EntityManager } from '@mikro-orm/postgresql';
import { type DB, type Kysely, prepared, runPrepared } from '@powerbank/db';
import { DomainError, formatMoney, OPEN_RENTAL_STATUSES, type RentalStatus } from '@powerbank/domain';
import { RENTAL_FIELDS, type RentalRecord, rentalRecord } from '@powerbank/rentals';
import type { RentalOutput } from './rentals.schemas.ts';

/** What an answer shows of a rental's related rows: its package and the serials of its stations and power bank. */
export interface RentalLinks {
  packageId: number;
  startStationSn: string | null;
  returnStationSn: string | null;
  powerBankSerial: string | null;
}

/**
 * The answer for a rental: its record (the one shape a rental row has, derived from the entity,
 * whoever read it — a rental event's write-back or `RENTAL_VIEW`) and its related rows' serials.
 */
export function rentalAnswer(rental: RentalRecord, links: RentalLinks): RentalOutput {
  const money = (amount: number) => formatMoney(amount, rental.currency);
  return {
    id: rental.id,
    status: rental.status,
    package_id: links.packageId,
    payment_mode: rental.paymentMode,
    start_station_sn: links.startStationSn,
    return_station_sn: links.returnStationSn,
    power_bank_serial: links.powerBankSerial,
    slot: rental.startSlotIndex,
    prepaid: money(rental.prepaidAmount),
    wallet_paid: money(rental.walletPaid),
    points_paid: rental.pointsPaid,
    overage: money(rental.overageAmount),
    late_fee: money(rental.lateFeeAmount),
    settled: money(rental.settledAmount),
    due: money(rental.dueAmount),
    extension_count: rental.extensionCount,
    failure_reason: rental.failureReason,
    started_at: rental.startedAt,
    due_at: rental.dueAt,
    returned_at: rental.returnedAt,
    settled_at: rental.settledAt,
    created_at: rental.createdAt,
  };
}

/** A rental as an answer reads it: the record's columns and the serials of its related rows. */
const rentalView = (db: Kysely<DB>) =>
  db
    .selectFrom('rental as r')
    .select(RENTAL_FIELDS)
    .select((eb) => [
      eb
        .selectFrom('station as s')
        .select('s.serial_number')
        .whereRef('s.id', '=', 'r.start_station_id')
        .as('start_station_sn'),
      eb
        .selectFrom('station as s')
        .select('s.serial_number')
        .whereRef('s.id', '=', 'r.return_station_id')
        .as('return_station_sn'),
      eb
        .selectFrom('power_bank as pb')
        .select('pb.serial_number')
        .whereRef('pb.id', '=', 'r.power_bank_id')
        .as('power_bank_serial'),
    ]);

/** A rental of a user, as `rentalView` reads it. */
export const OWN_RENTAL = prepared((db, p: { userId: string; id: string }) =>
  rentalView(db).where('r.id', '=', p.id).where('r.user_id', '=', p.userId),
);

/** The user's open rentals, newest first. */
export const OPEN_RENTALS = prepared((db, p: { userId: string }) =>
  rentalView(db)
    .where('r.user_id', '=', p.userId)
    .where('r.status', 'in', OPEN_RENTAL_STATUSES)
    .orderBy('r.id', 'desc'),
);

/** What a page of the user's rental history is bound to. */
interface HistoryParams {
  userId: string;
  status: RentalStatus;
  /** The last id of the page before (keyset pages). */
  cursor: string;
  limit: number;
  offset: number;
}
/** A page of the user's rentals, newest first: by status or all, after a cursor or at an offset. */
const historyPage = (byStatus: boolean, byCursor: boolean) =>
  prepared((db, p: HistoryParams) => {
    let query = rentalView(db).where('r.user_id', '=', p.userId);
    if (byStatus) query = query.where('r.status', '=', p.status);
    query = byCursor ? query.where('r.id', '<', p.cursor) : query.offset(p.offset);
    return query.orderBy('r.id', 'desc').limit(p.limit);
  });
/** The four shapes of a history page, each compiled once (a prepared statement apiece). */
export const HISTORY_PAGES = {
  all: historyPage(false, false),
  allAfter: historyPage(false, true),
  byStatus: historyPage(true, false),
  byStatusAfter: historyPage(true, true),
};

/** A row of `rentalView` as an answer. */
export function rentalViewAnswer(em: EntityManager, row: typeof OWN_RENTAL.row): RentalOutput {
  const rental = rentalRecord(em, row);
  return rentalAnswer(rental, {
    packageId: rental.packageId,
    startStationSn: row.start_station_sn,
    returnStationSn: row.return_station_sn,
    powerBankSerial: row.power_bank_serial,
  });
}

/**
 * A rental of this user, as stored now (a plain read: no identity map to be stale); someone
 * else's is 404 like a missing one (ids are not enumerable).
 */
export async function loadOwnRental(em: EntityManager, userId: string, id: string) {
  const [row] = await runPrepared(em, OWN_RENTAL, { userId, id });
  if (!row) throw new DomainError('NOT_FOUND', 'no such rental');
  return row;
}

/** The answer for a rental of this user, as stored now. */
export async function ownRentalAnswer(em: EntityManager, userId: string, id: string): Promise<RentalOutput> {
  return rentalViewAnswer(em, await loadOwnRental(em, userId, id));
}
