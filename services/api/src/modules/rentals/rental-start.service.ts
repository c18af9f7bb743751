import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
// The start's three statements below are still text (`sqlRows`): the last hot path not yet built
// as typed queries; their column lists and payment read derive from the typed ones.
import { configOf, configSubquery, now, prepared, runPrepared, sqlRows } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import {
  decideFromRead,
  PAYMENT_CONFIG_KEYS,
  type PayFromBalancesInput,
  type PaymentRead,
  payFromBalances,
  paymentReadColumns,
} from '@powerbank/ledger';
import { dispenseResponse, subjects } from '@powerbank/protocol';
import {
  applyDispenseOutcome,
  type DispenseOutcome,
  discountOn,
  holdDeposit,
  type NextDiscount,
  nextDiscountSql,
  PACKAGE_COLUMNS,
  packageRecord,
  postpaidDeposit,
  RENTAL_COLUMNS,
  RENTAL_CONFIG_KEYS,
  type RentalRecord,
  rentalConfigOf,
  rentalRecord,
} from '@powerbank/rentals';
import { uuidv7 } from 'uuidv7';
import type { AppDeps } from '../../deps.ts';
import { loadOwnRental, rentalAnswer, rentalOutput } from './rental-output.ts';
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
  const { rental, fresh } = await createPendingRental(em, userId, input);
  if (fresh || rental.status === 'pending' || rental.status === 'dispensing') {
    const outcome = await requestDispense(deps, input.station_sn, rental);
    if (outcome) {
      const applied = await applyDispenseOutcome(em.fork(), rental.id, outcome);
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
  return rentalOutput(await loadOwnRental(em.fork(), userId, rental.id));
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
  const [existing] = await sqlRows<Record<string, unknown> & { start_station_sn: string }>(
    em,
    `select ${RENTAL_COLUMNS},
            (select serial_number from station s where s.id = r.start_station_id) as start_station_sn
       from rental r
      where r.user_id = $1 and r.idempotency_key = $2`,
    [userId, input.idempotency_key],
  );
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

async function createPendingRental(
  em: EntityManager,
  userId: string,
  input: StartRentalInput,
): Promise<{ rental: RentalRecord; fresh: boolean }> {
  try {
    const rental = await em.fork().transactional((tem) => createInTransaction(tem, userId, input));
    if (rental !== REPLAY) return { rental, fresh: true };
    const earlier = await replayStart(em.fork(), userId, input);
    if (earlier) return { rental: earlier, fresh: false };
    throw new DomainError('CONFLICT', 'the rental of this idempotency key is gone');
  } catch (error) {
    // The same key raced itself: the first insert won; answer as a retry.
    if (error instanceof UniqueConstraintViolationException && /idempotency_key/.test(error.message)) {
      const winner = await replayStart(em.fork(), userId, input);
      if (winner) return { rental: winner, fresh: false };
    }
    throw error;
  }
}

/** The user's side of the start rules, counted over their rentals. */
interface UserRentals {
  open: string;
  due: string;
  recent: string;
}

/**
 * The select list of `UserRentals` over the rentals of the user at `user`, but for `except` (the
 * rental being inserted) when given.
 */
const userRentalsSql = (user: string, except?: string) =>
  `select count(*) filter (where status in ('pending', 'dispensing', 'active', 'overdue')) as open,
          coalesce(sum(due_amount), 0) as due,
          count(*) filter (where created_at > now() - interval '1 minute') as recent
     from rental where user_id = ${user}${except ? ` and id <> ${except}` : ''}`;

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

/** The start's first read: the user's side of the rules, the station (locked), the package, the settings. */
interface StartRead extends PaymentRead, UserRentals {
  status: string;
  replay: boolean;
  kyc_status: string | null;
  station_id: string | null;
  station_status: string | null;
  package: Record<string, unknown> | null;
  config: unknown;
  /** The discount coupon this start takes, if the user applied one (next-discount.ts). */
  discount: NextDiscount | null;
}

async function createInTransaction(
  tem: EntityManager,
  userId: string,
  input: StartRentalInput,
): Promise<RentalRecord | typeof REPLAY> {
  const id = uuidv7();
  const paymentKey = `rental:${id}:start`;
  // One round trip for everything the rules read before the rental exists: a retry of an earlier
  // start (answered as that start, whatever else changed since), the account and the user's
  // rentals, the station — locked: that serialises starts at one station, so its ready power banks
  // are never promised twice — the package, the settings and what a prepaid payment reads.
  // Checked below in RULES.md's order.
  // The user's row is locked too (`for no key update`: it does not hold off the key-share locks of
  // rows inserted for the user meanwhile), which serialises one user's starts at every station.
  // The lock alone is not enough: this statement's snapshot predates its wait for the locks, so
  // its count of the user's rentals can miss a start that committed meanwhile (50 concurrent
  // starts made 5 rentals). The insert below, a statement after the lock, counts them again, and
  // that count decides. (Not a partial unique index on the user's open rentals: `max_open_rentals`
  // is a setting, and a late eject success brings a failed rental back to active, which such an
  // index would refuse forever.)
  const [mine] = await sqlRows<StartRead>(
    tem,
    `select u.status,
            exists (select 1 from rental r where r.user_id = u.id and r.idempotency_key = $1) as replay,
            m.open, m.due, m.recent,
            (select k.status from user_kyc k where k.user_id = u.id limit 1) as kyc_status,
            st.id as station_id, st.status as station_status,
            (select to_jsonb(p) from (select ${PACKAGE_COLUMNS} from rental_package
                                       where id = $4 and is_active = true) p) as package,
            ${configSubquery('$5')} as config,
            ${nextDiscountSql('u.id', '$4')} as discount,
            ${paymentReadColumns('$2', '$6', '$7')}
       from users u
      cross join lateral (${userRentalsSql('u.id')}) m
       left join lateral (select id, status from station where serial_number = $3 for update) st on true
      where u.id = $2
        for no key update of u`,
    [
      input.idempotency_key,
      userId,
      input.station_sn,
      input.package_id,
      RENTAL_CONFIG_KEYS,
      paymentKey,
      PAYMENT_CONFIG_KEYS,
    ],
  );
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
  // below decides the same from the same read, and its debits re-check the balances as they write.
  const split = payment ? decideFromRead(mine, payment) : null;

  // Written in SQL and read back as a plain record (`returning` its columns), not through the unit
  // of work: no entity to hydrate and diff on every rental start.
  // The discount's usage is taken in the same statement (a statement after the user's row lock: a
  // start that committed meanwhile with the same discount has taken it, and this one matches nothing).
  const [inserted] = await sqlRows<Record<string, unknown>>(
    tem,
    `with discount as (update coupon_usage set rental_id = $1, discount_amount = $14
                        where id = $13 and rental_id is null returning id)
     insert into rental (id, user_id, package_id, start_station_id, status, payment_mode, currency, prepaid_amount,
                         wallet_paid, points_paid, held_amount, overage_amount, late_fee_amount, settled_amount,
                         due_amount, extension_count, idempotency_key, dispense_command_id, created_at, updated_at)
     values ($1, $2, $3, $4, 'pending', $5, $6, $10, $11, $12, 0, 0, 0, 0, 0, 0, $7, $8, now(), now())
     returning ${RENTAL_COLUMNS},
       -- The user's rentals again, read after the user's row lock (see the first statement).
       (select to_jsonb(m) from (${userRentalsSql('$2', '$1')}) m) as user_rentals,
       -- RULES.md's last rule, read here (a statement after the station lock, so other starts'
       -- rentals committed meanwhile are counted) and checked after the payment, in its order:
       -- a power bank ready and not already promised to a start in flight.
       (select count(*) from station_slot
         where station_id = $4 and status = 'ready' and battery_level >= $9) as ready,
       (select count(*) from rental
         where start_station_id = $4 and status in ('pending', 'dispensing') and id <> $1) as promised,
       (select count(*) from discount) as discount_taken`,
    [
      id,
      userId,
      pkg.id,
      stationId,
      input.payment_mode,
      pkg.currency,
      input.idempotency_key,
      uuidv7(),
      config.rental_min_battery_pct,
      split ? charge : 0,
      split?.walletAmount ?? 0,
      split?.points ?? 0,
      discount?.usage.id ?? null,
      discount?.amount ?? 0,
    ],
  );
  if (!inserted) throw new Error('rental insert returned no row');
  if (discount && Number(inserted.discount_taken) !== 1) {
    throw new DomainError('CONFLICT', 'your discount was taken by another rental start meanwhile: try again');
  }
  // Thrown inside the transaction: the rental goes with it, and no payment has been taken yet.
  checkUserRentals(inserted.user_rentals as UserRentals, config);
  const rental = rentalRecord(tem, inserted);
  if (payment) {
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
  return rental;
}

/** The hold's amount, on the rental it holds for. */
const SET_HELD = prepared((db, p: { id: string; heldAmount: number }) =>
  db.updateTable('rental').set({ held_amount: p.heldAmount, updated_at: now() }).where('id', '=', p.id),
);
