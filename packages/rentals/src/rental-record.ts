import type { EntityManager } from '@mikro-orm/postgresql';
import {
  configObject,
  configOf,
  type DB,
  jsonObjectFrom,
  type Kysely,
  now,
  prepared,
  runPrepared,
  type Statement,
  sql,
  sqlBatch,
  statementOf,
} from '@powerbank/db';
import type { PaymentMode, RentalStatus } from '@powerbank/domain';
import { noticeStatement, type RentalNotice } from './rental-notify.ts';

/**
 * A rental as the rental logic reads and changes it: the row's fields, not an ORM entity. Every
 * rental event loads one under its row lock and writes it back with one update; hydrating a
 * `Rental` entity (a reference object per foreign key, a change-set snapshot) and diffing it at
 * commit cost more CPU than the rest of an event's work in Node, twice per rental.
 */
export type RentalRecord = RecordOf<DB['rental'], (typeof RENTAL_FIELDS)[number]>;

/** What the rental logic needs of a package. */
export type PackageRecord = RecordOf<DB['rental_package'], (typeof PACKAGE_FIELDS)[number]>;

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;
/**
 * The entity's columns `K`, as the rental logic holds them: camelCase, a nullable one `null`
 * (never `undefined`), without the ORM's brands. Derived from the entity, so a column renamed or
 * retyped there changes the record (and every use of it fails to type-check) with it.
 */
type RecordOf<Table, K extends keyof Table & string> = {
  [C in K as CamelCase<C>]:
    | Unbranded<Exclude<Table[C], undefined>>
    | (undefined extends Table[C] ? null : never);
};
type Unbranded<V> = V extends Date
  ? Date
  : V extends number
    ? number
    : V extends string
      ? string extends V
        ? string
        : V
      : V;

/**
 * The columns a record is read from, named rather than `*` (a prepared `select *` fails with
 * "cached plan must not change result type" on every connection that prepared it once a migration
 * adds a column, until the service restarts) and checked against the `Rental` entity.
 */
export const RENTAL_FIELDS = [
  'id',
  'user_id',
  'package_id',
  'start_station_id',
  'start_slot_index',
  'power_bank_id',
  'return_station_id',
  'return_slot_index',
  'status',
  'payment_mode',
  'currency',
  'prepaid_amount',
  'wallet_paid',
  'points_paid',
  'held_amount',
  'overage_amount',
  'late_fee_amount',
  'settled_amount',
  'due_amount',
  'extension_count',
  'idempotency_key',
  'dispense_command_id',
  'failure_reason',
  'started_at',
  'due_at',
  'returned_at',
  'settled_at',
  'cancelled_at',
  'created_at',
] as const satisfies readonly (keyof DB['rental'])[];
export const PACKAGE_FIELDS = [
  'id',
  'name',
  'payment_model',
  'duration_minutes',
  'price',
  'per_minute_rate',
  'deposit_amount',
  'currency',
] as const satisfies readonly (keyof DB['rental_package'])[];

type Row = Record<string, unknown>;
// Money columns are bigint: pg answers them as strings.
const num = (value: unknown) => Number(value);
const numOrNull = (value: unknown) => (value === null ? null : Number(value));

/**
 * A `rental` row (`RENTAL_FIELDS`) as a record. The ORM's connections answer timestamps as text (its
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
  /** Its name, for the return notice's template (`{{stationName}}`). */
  stationName: string | null;
  /** The id of `refs.powerBankSerial`'s power bank, if asked and known. */
  powerBankId: string | null;
  /** The renter's referral still waiting for a first completed rental, if any. */
  pendingReferralId: string | null;
}

/**
 * Which rental an event is for: its id, or the open (active or overdue) rental holding a power
 * bank — a return names only the bank, and finding its rental in the locking statement itself
 * saves the return a round trip.
 */
export type RentalTarget = string | { openWithBank: string };

/**
 * The rental, locked `for update` in the caller's transaction, together with its package, the
 * settings and the rows the event names — one round trip where an event otherwise takes five (it
 * runs twice per rental). Only the rental row is locked; the rest is read as of the statement's
 * start, as separate reads would have read it. Null when there is no such rental (for a bank: no
 * open rental holds it, also when one was closed while this waited for its lock).
 */
export async function lockRentalForEvent(
  em: EntityManager,
  target: RentalTarget,
  refs: EventRefs,
): Promise<LockedRental | null> {
  const reads = eventReads(refs);
  const [row] =
    typeof target === 'string'
      ? await runPrepared(em, LOCK_FOR_EVENT, { id: target, ...reads })
      : await runPrepared(em, LOCK_OPEN_WITH_BANK, { bankSerial: target.openWithBank, ...reads });
  return row ? lockedRentalOf(em, row) : null;
}

/**
 * `lockRentalForEvent`'s read of the open rental holding a bank, without the row lock
 * (`applyEventUnlocked`, whose write re-checks the row).
 */
export async function readOpenRentalWithBank(
  em: EntityManager,
  target: { openWithBank: string },
  refs: EventRefs,
): Promise<LockedRental | null> {
  const [row] = await runPrepared(em, READ_OPEN_WITH_BANK, {
    bankSerial: target.openWithBank,
    ...eventReads(refs),
  });
  return row ? lockedRentalOf(em, row) : null;
}

/** The rows an event names besides its rental, by the names it knows them by. */
type EventRefs = { configKeys: readonly string[]; stationSn?: string; powerBankSerial?: string };

const eventReads = (refs: EventRefs): EventReads => ({
  configKeys: refs.configKeys,
  stationSn: refs.stationSn ?? null,
  powerBankSerial: refs.powerBankSerial ?? null,
});

function lockedRentalOf(em: EntityManager, row: typeof LOCK_FOR_EVENT.row): LockedRental {
  return {
    rental: rentalRecord(em, row),
    pkg: row.package ? packageRecord(row.package) : null,
    config: configOf(row.config),
    powerBankPrice: numOrNull(row.power_bank_price),
    stationId: row.event_station_id ?? null,
    stationName: row.event_station_name ?? null,
    powerBankId: row.event_power_bank_id ?? null,
    pendingReferralId: row.pending_referral_id ?? null,
  };
}

/** What an event's locked read reads besides the rental (`LockedRental`). */
interface EventReads {
  configKeys: readonly string[];
  stationSn: string | null;
  powerBankSerial: string | null;
}

/** The rental with what an event reads besides, as one select (not yet filtered nor locked). */
const eventRead = (db: Kysely<DB>, p: EventReads) =>
  db
    .selectFrom('rental as r')
    .select(RENTAL_FIELDS)
    .select((eb) => [
      jsonObjectFrom(
        eb
          .selectFrom('rental_package')
          .select(PACKAGE_FIELDS)
          .whereRef('rental_package.id', '=', 'r.package_id'),
      ).as('package'),
      configObject(p.configKeys).as('config'),
      eb
        .selectFrom('power_bank')
        .select('price')
        .whereRef('power_bank.id', '=', 'r.power_bank_id')
        .as('power_bank_price'),
      eb.selectFrom('station').select('id').where('serial_number', '=', p.stationSn).as('event_station_id'),
      eb
        .selectFrom('station')
        .select('name')
        .where('serial_number', '=', p.stationSn)
        .as('event_station_name'),
      eb
        .selectFrom('power_bank')
        .select('id')
        .where('serial_number', '=', p.powerBankSerial)
        .as('event_power_bank_id'),
      eb
        .selectFrom('referral')
        .select('id')
        .whereRef('invitee_id', '=', 'r.user_id')
        .where('status', '=', 'pending')
        .as('pending_referral_id'),
    ]);

const forEvent = (db: Kysely<DB>, p: EventReads & { id: string }) =>
  eventRead(db, p).where('r.id', '=', p.id).limit(1);
export const LOCK_FOR_EVENT = prepared((db, p: EventReads & { id: string }) =>
  forEvent(db, p).forUpdate('r'),
);

/** The open rental holding a bank, with the same reads. */
const openWithBank = (db: Kysely<DB>, p: EventReads & { bankSerial: string }) =>
  eventRead(db, p)
    .where('r.power_bank_id', '=', (eb) =>
      eb.selectFrom('power_bank').select('id').where('serial_number', '=', p.bankSerial),
    )
    .where('r.status', 'in', ['active', 'overdue'])
    .limit(1);

/**
 * The open rental holding a bank, locked, with the same reads: the return's lookup and lock in one
 * statement. Filtering on the status (not a subquery's id) lets Postgres re-check it on the locked
 * row, so a rental closed meanwhile is not returned twice.
 */
export const LOCK_OPEN_WITH_BANK = prepared((db, p: EventReads & { bankSerial: string }) =>
  openWithBank(db, p).forUpdate('r'),
);
/** `LOCK_OPEN_WITH_BANK`'s read without the lock (`applyEventUnlocked`). */
export const READ_OPEN_WITH_BANK = prepared((db, p: EventReads & { bankSerial: string }) =>
  openWithBank(db, p),
);

/** A rental's status alone (the rental runner's check after a dispense's grace period). */
export const RENTAL_STATUS = prepared((db, p: { id: string }) =>
  db.selectFrom('rental').select('status').where('id', '=', p.id),
);

const PACKAGE = prepared((db, p: { id: number }) =>
  db.selectFrom('rental_package').select(PACKAGE_FIELDS).where('id', '=', p.id).limit(1),
);
const ACTIVE_PACKAGE = prepared((db, p: { id: number }) =>
  db
    .selectFrom('rental_package')
    .select(PACKAGE_FIELDS)
    .where('id', '=', p.id)
    .where('is_active', '=', true)
    .limit(1),
);

/** The package, or null (`activeOnly`: only one that can be rented now). */
export async function readPackage(
  em: EntityManager,
  id: number,
  activeOnly = false,
): Promise<PackageRecord | null> {
  const [row] = await runPrepared(em, activeOnly ? ACTIVE_PACKAGE : PACKAGE, { id });
  return row ? packageRecord(row) : null;
}

/** Every field a rental event may change, as `SAVE_RENTAL` and `SAVE_RENTAL_UNCHANGED` write them. */
const savedFields = (p: RentalRecord) => ({
  status: p.status,
  power_bank_id: p.powerBankId,
  start_slot_index: p.startSlotIndex,
  return_station_id: p.returnStationId,
  return_slot_index: p.returnSlotIndex,
  prepaid_amount: p.prepaidAmount,
  held_amount: p.heldAmount,
  overage_amount: p.overageAmount,
  late_fee_amount: p.lateFeeAmount,
  settled_amount: p.settledAmount,
  due_amount: p.dueAmount,
  extension_count: p.extensionCount,
  failure_reason: p.failureReason,
  started_at: p.startedAt,
  due_at: p.dueAt,
  returned_at: p.returnedAt,
  settled_at: p.settledAt,
  cancelled_at: p.cancelledAt,
  updated_at: now(),
});

/** Every field a rental event may change (one prepared text for all events). */
export const SAVE_RENTAL = prepared((db, p: RentalRecord) =>
  db.updateTable('rental').set(savedFields(p)).where('id', '=', p.id),
);

/** What an unlocked read saw of a rental: the figures its event's step was decided and computed from. */
export type RentalReadFigures = Pick<
  RentalRecord,
  'status' | 'extensionCount' | 'prepaidAmount' | 'heldAmount' | 'dueAmount' | 'settledAmount'
>;

/** The read figures as `SAVE_RENTAL_UNCHANGED` binds them (a parameter is one flat value). */
type ReadGuard = { [K in keyof RentalReadFigures as `read${Capitalize<K>}`]: RentalReadFigures[K] };
const readGuard = (read: RentalReadFigures): ReadGuard => ({
  readStatus: read.status,
  readExtensionCount: read.extensionCount,
  readPrepaidAmount: read.prepaidAmount,
  readHeldAmount: read.heldAmount,
  readDueAmount: read.dueAmount,
  readSettledAmount: read.settledAmount,
});

/** What `SAVE_RENTAL_UNCHANGED`'s check fails with when the rental changed since its read. */
export const RENTAL_CHANGED = 'rental changed since its read';

/**
 * `SAVE_RENTAL` for a rental read without its lock: written only while the row still has the
 * figures it was read with (Postgres re-checks them on the row it locks, so an event applied
 * meanwhile — a status change, an extension, a charge — makes it match nothing), and the
 * statement fails unless it wrote the row (the cast only `1` survives, as ledger's
 * `POINTS_ENTRY_WRITTEN` does), so the batch it leads writes nothing either.
 */
export const SAVE_RENTAL_UNCHANGED = prepared((db, p: RentalRecord & ReadGuard) =>
  db
    .with('r', (qc) =>
      qc
        .updateTable('rental')
        .set(savedFields(p))
        .where('id', '=', p.id)
        .where('status', '=', p.readStatus)
        .where('extension_count', '=', p.readExtensionCount)
        .where('prepaid_amount', '=', p.readPrepaidAmount)
        .where('held_amount', '=', p.readHeldAmount)
        .where('due_amount', '=', p.readDueAmount)
        .where('settled_amount', '=', p.readSettledAmount)
        .returning('id'),
    )
    .selectFrom('r')
    .select(sql<number>`cast(case when count(*) = 1 then '1' else ${RENTAL_CHANGED} end as int)`.as('saved')),
);

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
  if (notices.length === 0 && writes.length === 0) await runPrepared(em, SAVE_RENTAL, r);
  else await sqlBatch(em, [statementOf(SAVE_RENTAL, r), ...notices.map(noticeStatement), ...writes]);
}

/**
 * `saveRental` without the row lock, outside any transaction: the rental's write (only while it
 * still has the figures `read` saw: `SAVE_RENTAL_UNCHANGED`), its notices and other blind writes
 * in one query of several statements, which Postgres runs as one transaction — all or nothing.
 * False when the rental changed since its read: nothing was written.
 */
export async function saveRentalIfUnchanged(
  em: EntityManager,
  r: RentalRecord,
  read: RentalReadFigures,
  notices: readonly RentalNotice[] = [],
  writes: readonly Statement[] = [],
): Promise<boolean> {
  try {
    await sqlBatch(em, [
      statementOf(SAVE_RENTAL_UNCHANGED, { ...r, ...readGuard(read) }),
      ...notices.map(noticeStatement),
      ...writes,
    ]);
    return true;
  } catch (error) {
    if (error instanceof Error && error.message.includes(RENTAL_CHANGED)) return false;
    throw error;
  }
}
