import type { EntityManager } from '@mikro-orm/postgresql';
import { configOf, configSubquery, type Statement, sqlBatch, sqlRows } from '@powerbank/db';
import type { PaymentMode, RentalStatus } from '@powerbank/domain';
import { noticeStatement, type RentalNotice } from './rental-notify.ts';

/**
 * A rental as the rental logic reads and changes it: the row's fields, not an ORM entity. Every
 * rental event loads one under its row lock and writes it back with one update; hydrating a
 * `Rental` entity (a reference object per foreign key, a change-set snapshot) and diffing it at
 * commit cost more CPU than the rest of an event's work in Node, twice per rental.
 */
export interface RentalRecord {
  id: string;
  userId: string;
  packageId: number;
  startStationId: string;
  startSlotIndex: number | null;
  powerBankId: string | null;
  returnStationId: string | null;
  returnSlotIndex: number | null;
  status: RentalStatus;
  paymentMode: PaymentMode;
  currency: string;
  prepaidAmount: number;
  walletPaid: number;
  pointsPaid: number;
  heldAmount: number;
  overageAmount: number;
  lateFeeAmount: number;
  settledAmount: number;
  dueAmount: number;
  extensionCount: number;
  idempotencyKey: string;
  dispenseCommandId: string | null;
  failureReason: string | null;
  startedAt: Date | null;
  dueAt: Date | null;
  returnedAt: Date | null;
  settledAt: Date | null;
  cancelledAt: Date | null;
  createdAt: Date;
}

/** What the rental logic needs of a package. */
export interface PackageRecord {
  id: number;
  name: string;
  paymentModel: 'prepaid' | 'postpaid';
  durationMinutes: number;
  price: number;
  perMinuteRate: number;
  depositAmount: number;
  currency: string;
}

/**
 * The columns a record is read from, named rather than `*`: a prepared `select *` fails with
 * "cached plan must not change result type" on every connection that prepared it once a migration
 * adds a column, until the service restarts.
 */
export const RENTAL_COLUMNS =
  'id, user_id, package_id, start_station_id, start_slot_index, power_bank_id, return_station_id, ' +
  'return_slot_index, status, payment_mode, currency, prepaid_amount, wallet_paid, points_paid, ' +
  'held_amount, overage_amount, late_fee_amount, settled_amount, due_amount, extension_count, ' +
  'idempotency_key, dispense_command_id, failure_reason, started_at, due_at, returned_at, settled_at, ' +
  'cancelled_at, created_at';
export const PACKAGE_COLUMNS =
  'id, name, payment_model, duration_minutes, price, per_minute_rate, deposit_amount, currency';

type Row = Record<string, unknown>;
// Money columns are bigint: pg answers them as strings.
const num = (value: unknown) => Number(value);
const numOrNull = (value: unknown) => (value === null ? null : Number(value));

/**
 * A `rental` row (`RENTAL_COLUMNS`) as a record. The ORM's connections answer timestamps as text (its
 * type parsers); the platform parses them as the ORM would.
 */
export function rentalRecord(em: EntityManager, row: Row): RentalRecord {
  const platform = em.getPlatform();
  const date = (value: unknown) => platform.parseDate(value as string);
  const dateOrNull = (value: unknown) => (value === null ? null : date(value));
  return {
    id: row.id as string,
    userId: row.user_id as string,
    packageId: num(row.package_id),
    startStationId: row.start_station_id as string,
    startSlotIndex: numOrNull(row.start_slot_index),
    powerBankId: (row.power_bank_id as string | null) ?? null,
    returnStationId: (row.return_station_id as string | null) ?? null,
    returnSlotIndex: numOrNull(row.return_slot_index),
    status: row.status as RentalStatus,
    paymentMode: row.payment_mode as PaymentMode,
    currency: row.currency as string,
    prepaidAmount: num(row.prepaid_amount),
    walletPaid: num(row.wallet_paid),
    pointsPaid: num(row.points_paid),
    heldAmount: num(row.held_amount),
    overageAmount: num(row.overage_amount),
    lateFeeAmount: num(row.late_fee_amount),
    settledAmount: num(row.settled_amount),
    dueAmount: num(row.due_amount),
    extensionCount: num(row.extension_count),
    idempotencyKey: row.idempotency_key as string,
    dispenseCommandId: (row.dispense_command_id as string | null) ?? null,
    failureReason: (row.failure_reason as string | null) ?? null,
    startedAt: dateOrNull(row.started_at),
    dueAt: dateOrNull(row.due_at),
    returnedAt: dateOrNull(row.returned_at),
    settledAt: dateOrNull(row.settled_at),
    cancelledAt: dateOrNull(row.cancelled_at),
    createdAt: date(row.created_at),
  };
}

/** A `rental_package` row as a record. */
export function packageRecord(row: Row): PackageRecord {
  return {
    id: num(row.id),
    name: row.name as string,
    paymentModel: row.payment_model as PackageRecord['paymentModel'],
    durationMinutes: num(row.duration_minutes),
    price: num(row.price),
    perMinuteRate: num(row.per_minute_rate),
    depositAmount: num(row.deposit_amount),
    currency: row.currency as string,
  };
}

/** A rental locked for an event, with what the event's step reads besides. */
export interface LockedRental {
  rental: RentalRecord;
  /** The rental's package (null only if its row is gone). */
  pkg: PackageRecord | null;
  /** `AppConfig` values of the keys asked for. */
  config: Map<string, unknown>;
  /** The price of the power bank the rental holds, if it holds one. */
  powerBankPrice: number | null;
  /** The id of `refs.stationSn`'s station, if asked and known. */
  stationId: string | null;
  /** The id of `refs.powerBankSerial`'s power bank, if asked and known. */
  powerBankId: string | null;
  /** The renter's referral still waiting for a first completed rental, if any. */
  pendingReferralId: string | null;
}

/**
 * The rental, locked `for update` in the caller's transaction, together with its package, the
 * settings and the rows the event names — one round trip where an event otherwise takes five (it
 * runs twice per rental). Only the rental row is locked; the rest is read as of the statement's
 * start, as separate reads would have read it.
 */
export async function lockRentalForEvent(
  em: EntityManager,
  id: string,
  refs: { configKeys: readonly string[]; stationSn?: string; powerBankSerial?: string },
): Promise<LockedRental | null> {
  const [row] = await sqlRows<Row>(
    em,
    `select ${RENTAL_COLUMNS},
            (select to_jsonb(p) from (select ${PACKAGE_COLUMNS} from rental_package where id = r.package_id) p) as package,
            ${configSubquery('$2')} as config,
            (select price from power_bank where id = r.power_bank_id) as power_bank_price,
            (select id from station where serial_number = $3) as event_station_id,
            (select id from power_bank where serial_number = $4) as event_power_bank_id,
            (select id from referral where invitee_id = r.user_id and status = 'pending') as pending_referral_id
       from rental r
      where r.id = $1
      limit 1
        for update of r`,
    [id, refs.configKeys, refs.stationSn ?? null, refs.powerBankSerial ?? null],
  );
  if (!row) return null;
  return {
    rental: rentalRecord(em, row),
    pkg: row.package ? packageRecord(row.package as Row) : null,
    config: configOf(row.config),
    powerBankPrice: numOrNull(row.power_bank_price),
    stationId: (row.event_station_id as string | null) ?? null,
    powerBankId: (row.event_power_bank_id as string | null) ?? null,
    pendingReferralId: (row.pending_referral_id as string | null) ?? null,
  };
}

/** The package, or null (`activeOnly`: only one that can be rented now). */
export async function readPackage(
  em: EntityManager,
  id: number,
  activeOnly = false,
): Promise<PackageRecord | null> {
  const [row] = await sqlRows<Row>(
    em,
    activeOnly
      ? `select ${PACKAGE_COLUMNS} from rental_package where id = $1 and is_active = true limit 1`
      : `select ${PACKAGE_COLUMNS} from rental_package where id = $1 limit 1`,
    [id],
  );
  return row ? packageRecord(row) : null;
}

/**
 * Writes back every field a rental event may change, in one statement (one prepared text for all
 * events), together with the event's notifications when it has any (one round trip: the writes
 * answer nothing). The caller holds the row lock, so nothing else changed them meanwhile.
 */
export async function saveRental(
  em: EntityManager,
  r: RentalRecord,
  notices: readonly RentalNotice[] = [],
  /** Other blind writes of the event (achievement progress), sent in the same round trip. */
  writes: readonly Statement[] = [],
): Promise<void> {
  const update: Statement = {
    text: `update rental set status = $2, power_bank_id = $3, start_slot_index = $4, return_station_id = $5,
            return_slot_index = $6, prepaid_amount = $7, held_amount = $8, overage_amount = $9,
            late_fee_amount = $10, settled_amount = $11, due_amount = $12, extension_count = $13,
            failure_reason = $14, started_at = $15, due_at = $16, returned_at = $17, settled_at = $18,
            cancelled_at = $19, updated_at = now()
      where id = $1`,
    values: [
      r.id,
      r.status,
      r.powerBankId,
      r.startSlotIndex,
      r.returnStationId,
      r.returnSlotIndex,
      r.prepaidAmount,
      r.heldAmount,
      r.overageAmount,
      r.lateFeeAmount,
      r.settledAmount,
      r.dueAmount,
      r.extensionCount,
      r.failureReason,
      r.startedAt,
      r.dueAt,
      r.returnedAt,
      r.settledAt,
      r.cancelledAt,
    ],
  };
  if (notices.length === 0 && writes.length === 0) await sqlRows(em, update.text, update.values);
  else await sqlBatch(em, [update, ...notices.map(noticeStatement), ...writes]);
}
