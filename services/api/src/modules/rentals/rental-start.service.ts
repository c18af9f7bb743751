import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { configOf, now, prepared, runPrepared } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import {
  decideFromRead,
  PAYMENT_CONFIG_KEYS,
  type PayFromBalancesInput,
  payFromBalances,
  walletPaymentOf,
  walletRefusal,
} from '@powerbank/ledger';
import { dispenseResponse, subjects } from '@powerbank/protocol';
import {
  activateStarted,
  applyDispenseOutcome,
  type DispenseOutcome,
  discountOn,
  holdDeposit,
  INSERT_PAID_RENTAL,
  INSERT_RENTAL,
  type InsertRentalParams,
  packageRecord,
  postpaidDeposit,
  RENTAL_CONFIG_KEYS,
  REPLAYED_START,
  type RentalRecord,
  rentalConfigOf,
  rentalRecord,
  START_READ,
  type StartedRental,
} from '@powerbank/rentals';
import { uuidv7 } from 'uuidv7';
import type { AppDeps } from '../../deps.ts';
import { ownRentalAnswer, rentalAnswer } from './rental-output.ts';
import type { RentalOutput, StartRentalInput } from './rentals.schemas.ts';

/**
 * `rentals.start` (DESIGN.md "The rental start, end to end"): one transaction
 * checks the rules in RULES.md's order, takes the payment and creates the
 * rental `pending`; then station-core is asked to dispense and its answer is
 * applied. An eject that fails or times out leaves the rental `failed` with
 * the money back; an answer that never comes leaves it `pending`, and the
 * rental runner asks again with the same command id.
 */
export async function startRental(
  em: EntityManager,
  deps: AppDeps,
  userId: string,
  input: StartRentalInput,
): Promise<RentalOutput> {
  const { rental, started } = await createPendingRental(em, userId, input);
  if (started || rental.status === 'pending' || rental.status === 'dispensing') {
    const outcome = await requestDispense(deps, input.station_sn, rental);
    if (outcome) {
      // The rental this request started, in the status its insert returned: its plain activation is
      // one statement; anything else (or a rental moved on meanwhile) goes under the row lock.
      // `applyRentalEvent`'s transaction forks `em` itself; the request's `em` holds no entities.
      const applied =
        (started && (await activateStarted(em, started, outcome))) ||
        (await applyDispenseOutcome(em, rental.id, outcome));
      // The row as this transaction committed it (no return yet): no need to read it back.
      if (applied.applied) {
        return rentalAnswer(applied.rental, {
          packageId: applied.rental.packageId,
          startStationSn: input.station_sn,
          powerBankSerial: outcome.ok && applied.rental.powerBankId ? outcome.powerBankSerial : null,
          returnStationSn: null,
        });
      }
    }
  }
  return ownRentalAnswer(em.fork(), userId, rental.id);
}

async function requestDispense(
  deps: AppDeps,
  stationSn: string,
  rental: RentalRecord,
): Promise<DispenseOutcome | null> {
  const subject = subjects(deps.env.NATS_PREFIX).coreDispense;
  const body = JSON.stringify({ stationSn, rentalId: rental.id, commandId: rental.dispenseCommandId });
  try {
    const reply = await deps.nats.request(subject, new TextEncoder().encode(body), {
      timeout: deps.env.RENTAL_DISPENSE_TIMEOUT_MS,
    });
    const parsed = dispenseResponse.safeParse(reply.json());
    return parsed.success ? parsed.data : null;
  } catch (error) {
    // No station-core listening: the command cannot have reached a station, so nothing was ejected.
    if (error instanceof Error && /no responders/i.test(error.message)) {
      return { ok: false, reason: 'core_unavailable' };
    }
    deps.logger.warn(
      { err: error, rentalId: rental.id },
      'dispense answer not received; the rental runner will resolve it',
    );
    return null;
  }
}

/** What makes two starts "the same request" under one idempotency key. */
async function replayStart(em: EntityManager, userId: string, input: StartRentalInput) {
  const [existing] = await runPrepared(em, REPLAYED_START, { userId, idempotencyKey: input.idempotency_key });
  if (!existing) return null;
  const rental = rentalRecord(em, existing);
  const same =
    rental.packageId === input.package_id &&
    rental.paymentMode === input.payment_mode &&
    existing.start_station_sn === input.station_sn;
  if (!same) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'this idempotency key was used for a different rental start',
    );
  }
  return rental;
}

/** What the start transaction answers when the idempotency key already has a rental. */
const REPLAY = Symbol('replay');

/** A start's rental; `started` when this request created it (not a replay of an earlier one). */
interface PendingRental {
  rental: RentalRecord;
  started?: StartedRental;
}

async function createPendingRental(
  em: EntityManager,
  userId: string,
  input: StartRentalInput,
): Promise<PendingRental> {
  try {
    // `transactional` runs in a fork of its own: the request's `em` needs no other.
    const started = await em.transactional((tem) => createInTransaction(tem, userId, input));
    if (started !== REPLAY) return { rental: started.rental, started };
    const earlier = await replayStart(em.fork(), userId, input);
    if (earlier) return { rental: earlier };
    throw new DomainError('CONFLICT', 'the rental of this idempotency key is gone');
  } catch (error) {
    // The same key raced itself: the first insert won; answer as a retry.
    if (error instanceof UniqueConstraintViolationException && /idempotency_key/.test(error.message)) {
      const winner = await replayStart(em.fork(), userId, input);
      if (winner) return { rental: winner };
    }
    throw error;
  }
}

/** The user's side of the start rules, counted over their rentals (counts arrive as numeric text). */
type UserRentals = Record<'open' | 'due' | 'recent', number | string | bigint>;

/** RULES.md's rules over the user's rentals, in its order. */
function checkUserRentals(rentals: UserRentals, config: ReturnType<typeof rentalConfigOf>): void {
  if (Number(rentals.open) >= config.max_open_rentals) {
    throw new DomainError('RENTAL_ALREADY_ACTIVE', 'you already have a rental in progress');
  }
  if (Number(rentals.due) > 0) {
    throw new DomainError('PAYMENT_REQUIRED', 'pay your outstanding due before renting again', {
      due: Number(rentals.due),
    });
  }
  if (Number(rentals.recent) >= config.rental_starts_per_minute) {
    throw new DomainError('RATE_LIMITED', 'too many rental starts; try again in a minute', {
      retryAfterS: 60,
    });
  }
}

async function createInTransaction(
  tem: EntityManager,
  userId: string,
  input: StartRentalInput,
): Promise<StartedRental | typeof REPLAY> {
  const id = uuidv7();
  const paymentKey = `rental:${id}:start`;
  // One round trip for everything the rules read before the rental exists (START_READ says what
  // and why it locks), checked below in RULES.md's order. Its count of the user's rentals is read
  // again by the insert, a statement after the lock, and that count decides. (Not a partial unique
  // index on the user's open rentals: `max_open_rentals` is a setting, and a late eject success
  // brings a failed rental back to active, which such an index would refuse forever.)
  const [mine] = await runPrepared(tem, START_READ, {
    idempotencyKey: input.idempotency_key,
    userId,
    stationSn: input.station_sn,
    packageId: input.package_id,
    configKeys: RENTAL_CONFIG_KEYS,
    paymentKey,
    paymentConfigKeys: PAYMENT_CONFIG_KEYS,
  });
  if (!mine) throw new DomainError('NOT_FOUND', 'no such user');
  if (mine.replay) return REPLAY;
  const config = rentalConfigOf(configOf(mine.config));
  if (mine.status !== 'active') throw new DomainError('FORBIDDEN', 'this account cannot rent');
  if (config.kyc_required_for_rental > 0 && mine.kyc_status !== 'approved') {
    throw new DomainError('BUSINESS_RULE', 'an approved KYC is required to rent');
  }
  checkUserRentals(mine, config);
  if (!mine.station_id) throw new DomainError('NOT_FOUND', 'no station with this serial');
  if (mine.station_status === 'maintenance')
    throw new DomainError('STATION_OFFLINE', 'the station is in maintenance');
  if (mine.station_status !== 'online') throw new DomainError('STATION_OFFLINE', 'the station is offline');
  if (!mine.package) throw new DomainError('NOT_FOUND', 'no active package with this id');
  const pkg = packageRecord(mine.package);
  const stationId = mine.station_id;
  // A discount coupon the user applied comes off a prepaid price; one that covers it all leaves nothing to pay.
  const discount = discountOn(mine.discount, pkg);
  const charge = pkg.price - (discount?.amount ?? 0);
  const payment: PayFromBalancesInput | null =
    pkg.paymentModel === 'prepaid' && charge > 0
      ? {
          userId,
          amount: charge,
          type: 'rental',
          mode: input.payment_mode,
          split: input.split
            ? { walletAmount: input.split.wallet_amount, points: input.split.points }
            : undefined,
          reference: { type: 'rental', id },
          idempotencyKey: paymentKey,
          rentalId: id,
          description: `Rental ${pkg.name}`,
          // Keys of the rental inserted below; a refused payment fails the whole start.
          atomicWithCaller: true,
          read: mine,
        }
      : null;
  // Decided before the rental is written, so it is written with its payment at once; the payment
  // decides the same from the same read, and its debits re-check the balances as they write.
  const split = payment ? decideFromRead(mine, payment) : null;

  // Paid from the wallet alone (the usual start): the payment is written by the rental's own insert.
  const walletPayment = payment && split ? walletPaymentOf(payment, split) : null;
  const values: InsertRentalParams = {
    id,
    userId,
    packageId: pkg.id,
    stationId,
    paymentMode: input.payment_mode,
    rentalCurrency: pkg.currency,
    startKey: input.idempotency_key,
    dispenseCommandId: uuidv7(),
    minBatteryPct: config.rental_min_battery_pct,
    prepaidAmount: split ? charge : 0,
    walletPaid: split?.walletAmount ?? 0,
    pointsPaid: split?.points ?? 0,
    discountUsageId: discount?.usage.id ?? null,
    discountAmount: discount?.amount ?? 0,
  };
  // Written by a typed query and read back as a plain record (`returning` its columns), not
  // through the unit of work: no entity to hydrate and diff on every rental start. The discount's
  // usage is taken in the same statement (INSERT_RENTAL says why that is safe).
  const [inserted] = walletPayment
    ? await runPrepared(tem, INSERT_PAID_RENTAL, { ...values, ...walletPayment })
    : await runPrepared(tem, INSERT_RENTAL, values);
  if (!inserted) throw new Error('rental insert returned no row');
  // Thrown inside the transaction: the rental goes with it, and its payment with it if it was taken.
  if (discount && Number(inserted.discount_taken) !== 1) {
    throw new DomainError('CONFLICT', 'your discount was taken by another rental start meanwhile: try again');
  }
  // An aggregate over no group answers one row: the object is never null.
  if (!inserted.user_rentals) throw new Error('the insert returned no count of the user rentals');
  checkUserRentals(inserted.user_rentals, config);
  const rental = rentalRecord(tem, inserted);
  if (walletPayment) {
    // The wallet was spent since the start's read: refused as `payFromBalances` refuses it.
    if (!('wallet_debited' in inserted) || Number(inserted.wallet_debited) !== 1) {
      throw await walletRefusal(tem, userId, walletPayment.amount);
    }
  } else if (payment) {
    await payFromBalances(tem, payment);
  } else if (pkg.paymentModel === 'postpaid') {
    // The deposit is held (wallet.held, no ledger row) in this transaction; a refusal rolls the rental back.
    await holdDeposit(tem, rental, postpaidDeposit(pkg, config), true);
  }

  if (Number(inserted.ready) - Number(inserted.promised) <= 0) {
    // Thrown inside the transaction: the payment above is rolled back with it, so no money moved.
    throw new DomainError('BUSINESS_RULE', 'no power bank is ready at this station', {
      reason: 'no_power_bank',
    });
  }
  // The hold's amount, on the rental (it is what makes the hold happen once).
  if (rental.heldAmount > 0) {
    await runPrepared(tem, SET_HELD, { id, heldAmount: rental.heldAmount });
  }
  return { rental, pkg, config };
}

/** The hold's amount, on the rental it holds for. */
const SET_HELD = prepared((db, p: { id: string; heldAmount: number }) =>
  db.updateTable('rental').set({ held_amount: p.heldAmount, updated_at: now() }).where('id', '=', p.id),
);
