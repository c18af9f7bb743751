import {
  configObject,
  type DB,
  type ExpressionBuilder,
  jsonObjectFrom,
  now,
  prepared,
  type QueryCreator,
  queryBuilder,
  sql,
} from '@powerbank/db';
import type { PaymentMode } from '@powerbank/domain';
import {
  paymentReadSelections,
  type WalletPaymentCtes,
  type WalletPaymentParams,
  withWalletPayment,
} from '@powerbank/ledger';
import { nextDiscount } from './next-discount.ts';
import { PACKAGE_FIELDS, RENTAL_FIELDS } from './rental-record.ts';

/** A rental that holds (or is about to hold) a power bank: what the start rules count as open. */
const OPEN_STATUSES = ['pending', 'dispensing', 'active', 'overdue'] as const;

/**
 * The user's side of the start rules over the user's rentals (but `except`, the rental being
 * inserted, when given): open ones, the due owed, starts in the last minute.
 */
const userRentals = (user: string, except?: string) => {
  const mine = queryBuilder.selectFrom('rental').where('user_id', '=', user);
  return (except === undefined ? mine : mine.where('id', '<>', except)).select((eb) => [
    eb.fn.countAll().filterWhere('status', 'in', OPEN_STATUSES).as('open'),
    eb.fn.coalesce(eb.fn.sum('due_amount'), sql<number>`0`).as('due'),
    eb.fn.countAll().filterWhere('created_at', '>', sql<Date>`now() - interval '1 minute'`).as('recent'),
  ]);
};

/** What the start's first read is bound to. */
export interface StartReadParams {
  idempotencyKey: string;
  userId: string;
  stationSn: string;
  packageId: number;
  configKeys: readonly string[];
  paymentKey: string;
  paymentConfigKeys: readonly string[];
}

/**
 * The start's first read, in one round trip: a retry of an earlier start (`replay`), the account
 * and the user's rentals, the station — locked: that serialises starts at one station, so its
 * ready power banks are never promised twice — the package, the settings, the discount the start
 * takes and what a prepaid payment reads. The user's row is locked too (`for no key update`: it
 * does not hold off the key-share locks of rows inserted for the user meanwhile), which
 * serialises one user's starts at every station. The lock alone is not enough: this statement's
 * snapshot predates its wait for the locks, so its count of the user's rentals can miss a start
 * that committed meanwhile; `INSERT_RENTAL` counts them again after the lock.
 */
export const START_READ = prepared((db, p: StartReadParams) =>
  db
    .selectFrom('users as u')
    .innerJoinLateral(
      () => userRentals(p.userId).as('m'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('station')
          .select(['id', 'status'])
          .where('serial_number', '=', p.stationSn)
          .forUpdate()
          .as('st'),
      (join) => join.onTrue(),
    )
    .select((eb) => [
      'u.status',
      eb
        .exists(
          eb
            .selectFrom('rental as r')
            .select(sql`1`.as('one'))
            .whereRef('r.user_id', '=', 'u.id')
            .where('r.idempotency_key', '=', p.idempotencyKey),
        )
        .as('replay'),
      'm.open',
      'm.due',
      'm.recent',
      eb
        .selectFrom('user_kyc as k')
        .select('k.status')
        .whereRef('k.user_id', '=', 'u.id')
        .limit(1)
        .as('kyc_status'),
      'st.id as station_id',
      'st.status as station_status',
      jsonObjectFrom(
        eb
          .selectFrom('rental_package')
          .select(PACKAGE_FIELDS)
          .where('id', '=', p.packageId)
          .where('is_active', '=', true),
      ).as('package'),
      configObject(p.configKeys).as('config'),
      nextDiscount(p.userId, p.packageId).as('discount'),
      ...paymentReadSelections({ userId: p.userId, key: p.paymentKey, configKeys: p.paymentConfigKeys }),
    ])
    .where('u.id', '=', p.userId)
    .forNoKeyUpdate('u'),
);

/** What the start's insert is bound to. */
export interface InsertRentalParams {
  id: string;
  userId: string;
  packageId: number;
  stationId: string;
  paymentMode: PaymentMode;
  /** The package's currency (named apart from a payment's own). */
  rentalCurrency: string;
  /** The client's idempotency key of the start. */
  startKey: string;
  dispenseCommandId: string;
  minBatteryPct: number;
  prepaidAmount: number;
  walletPaid: number;
  pointsPaid: number;
  /** The discount's usage the start takes (null: none). */
  discountUsageId: string | null;
  discountAmount: number;
}

/**
 * The rental, inserted `pending` and read back as a row (`returning`), with in the same statement:
 * the discount's usage taken (a statement after the user's row lock: a start that committed
 * meanwhile with the same discount has taken it, and this one matches nothing); the user's rentals
 * counted again after the user's row lock (see `START_READ`); and RULES.md's last rule, read here
 * (a statement after the station lock, so other starts' rentals committed meanwhile are counted):
 * power banks ready at the station and those already promised to starts in flight.
 */
const insertRental = (db: QueryCreator<DB>, p: InsertRentalParams) =>
  db
    .with('discount', (w) =>
      w
        .updateTable('coupon_usage')
        .set({ rental_id: p.id, discount_amount: p.discountAmount })
        .where('id', '=', p.discountUsageId)
        .where('rental_id', 'is', null)
        .where('rental_order_id', 'is', null)
        .returning('id'),
    )
    .insertInto('rental')
    .values({
      id: p.id,
      user_id: p.userId,
      package_id: p.packageId,
      start_station_id: p.stationId,
      status: 'pending',
      payment_mode: p.paymentMode,
      currency: p.rentalCurrency,
      prepaid_amount: p.prepaidAmount,
      wallet_paid: p.walletPaid,
      points_paid: p.pointsPaid,
      held_amount: 0,
      overage_amount: 0,
      late_fee_amount: 0,
      settled_amount: 0,
      due_amount: 0,
      extension_count: 0,
      idempotency_key: p.startKey,
      dispense_command_id: p.dispenseCommandId,
      created_at: now(),
      updated_at: now(),
    })
    .returning(RENTAL_FIELDS)
    .returning((eb) => [
      jsonObjectFrom(userRentals(p.userId, p.id)).as('user_rentals'),
      eb
        .selectFrom('station_slot')
        .select((c) => c.fn.countAll().as('n'))
        .where('station_id', '=', p.stationId)
        .where('status', '=', 'ready')
        .where('battery_level', '>=', p.minBatteryPct)
        .as('ready'),
      eb
        .selectFrom('rental')
        .select((c) => c.fn.countAll().as('n'))
        .where('start_station_id', '=', p.stationId)
        .where('status', 'in', ['pending', 'dispensing'])
        .where('id', '<>', p.id)
        .as('promised'),
      eb
        .selectFrom('discount')
        .select((c) => c.fn.countAll().as('n'))
        .as('discount_taken'),
    ]);

export const INSERT_RENTAL = prepared((db, p: InsertRentalParams) => insertRental(db, p));

/**
 * `INSERT_RENTAL` with the start's payment from the wallet in the same statement (one round trip
 * fewer on the start's path): the payment's row, the debit and its ledger row as CTEs ahead of the
 * rental (`withWalletPayment`), and `wallet_debited`, 1 when the debit was made. 0 means the
 * wallet could not afford it (spent since the start's read): the start must then fail, and the
 * payment's row goes with its transaction. Any check of the rental's row that fails after it
 * rolls the payment back the same way.
 */
export const INSERT_PAID_RENTAL = prepared((db, p: InsertRentalParams & WalletPaymentParams) =>
  insertRental(withWalletPayment(db, p), p).returning((eb) =>
    (eb as unknown as ExpressionBuilder<DB & WalletPaymentCtes, 'rental'>)
      .selectFrom('wallet_entry')
      .select((c) => c.fn.countAll().as('n'))
      .as('wallet_debited'),
  ),
);

/** A rental of the user under an idempotency key, with its start station's serial (a retried start). */
export const REPLAYED_START = prepared((db, p: { userId: string; idempotencyKey: string }) =>
  db
    .selectFrom('rental as r')
    .select(RENTAL_FIELDS)
    .select((eb) =>
      eb
        .selectFrom('station as s')
        .select('s.serial_number')
        .whereRef('s.id', '=', 'r.start_station_id')
        .as('start_station_sn'),
    )
    .where('r.user_id', '=', p.userId)
    .where('r.idempotency_key', '=', p.idempotencyKey),
);
