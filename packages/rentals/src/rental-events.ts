import type { EntityManager } from '@mikro-orm/postgresql';
import {
  now,
  prepared,
  Rental,
  RentalExtension,
  RentalPackage,
  runPrepared,
  type Statement,
} from '@powerbank/db';
import {
  cancellationFee,
  DomainError,
  type ExplicitSplit,
  type PaymentMode,
  pointsToCover,
  pointsToMinor,
  settleRental,
  startedMinutes,
} from '@powerbank/domain';
import { achievementProgressStatement, rewardReferral } from '@powerbank/engagement';
import {
  type BalancePaymentType,
  ledger,
  payFromBalances,
  pointsCreditStatements,
  pointsRatio,
  readPaymentConfig,
} from '@powerbank/ledger';
import { type RentalEffect, type RentalEvent, type RentalState, rentalStep } from '@powerbank/machines';
import { refusedForFunds } from './insufficient-funds.ts';
import { lateFeePolicy, RENTAL_CONFIG_KEYS, type RentalConfig, rentalConfigOf } from './rental-config.ts';
import { holdDeposit, postpaidDeposit, releaseDeposit } from './rental-holds.ts';
import type { RentalNotice } from './rental-notify.ts';
import {
  type LockedRental,
  lockRentalForEvent,
  type PackageRecord,
  type RentalRecord,
  type RentalTarget,
  readOpenRentalWithBank,
  readPackage,
  saveRental,
  saveRentalIfUnchanged,
} from './rental-record.ts';

/** How the user pays an extension or a due (the client's choice, as calculate-options offers). */
export interface UserPayment {
  mode: PaymentMode;
  split?: ExplicitSplit;
  /** The client's key as the api scoped it to the user, the operation and this rental. */
  idempotencyKey: string;
}

/**
 * The user's payment for an effect: a payment already made under the key was for an earlier
 * extension or due of this rental (a retry of that one finds the event no longer applies, or its
 * extension), so it is not this one's — 409, never the earlier answer with nothing taken.
 */
async function payAsUser(em: EntityManager, input: Parameters<typeof payFromBalances>[1]) {
  const payment = await payFromBalances(em, input);
  if (payment.replayed) {
    throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key already paid for something else');
  }
  return payment;
}

export interface ApplyOptions {
  now?: Date;
  payment?: UserPayment;
  /** EXTEND: the prepaid package whose price is charged and whose duration is added. */
  extensionPackageId?: number;
}

export interface Applied {
  applied: boolean;
  rental: RentalRecord;
}

interface EffectContext {
  em: EntityManager;
  rental: RentalRecord;
  pkg: PackageRecord;
  /** What the rental's lock read besides (the event's station and power bank, the bank's price). */
  locked: LockedRental;
  /** The event's notifications, written with the rental's update. */
  notices: RentalNotice[];
  /** The event's other blind writes (points credits, achievement progress), sent with the rental's update. */
  writes: Statement[];
  event: RentalEvent;
  config: RentalConfig;
  now: Date;
  options: ApplyOptions;
}

const ref = (rental: RentalRecord) => ({ type: 'rental', id: rental.id });
const key = (rental: RentalRecord, what: string) => `rental:${rental.id}:${what}`;

/**
 * Applies one event to one rental: the row is locked, the machine decides
 * from its stored status, the effects (ledger entries, notifications, power
 * bank) and the new status are written in one transaction. An event that
 * does not apply (a duplicate, a second instance's copy, a late message)
 * changes nothing and returns `applied: false`. Every ledger entry's key is
 * derived from the rental id, so even a replayed effect moves money once. The
 * rental is a plain record written back with one update (rental-record.ts says
 * why not an entity).
 */
export async function applyRentalEvent(
  em: EntityManager,
  rentalId: string,
  event: RentalEvent,
  options: ApplyOptions = {},
): Promise<Applied> {
  const applied = await applyEventTo(em, rentalId, event, options);
  if (!applied) throw new DomainError('NOT_FOUND', 'no such rental');
  return applied;
}

/** What an event's read reads besides the rental: its station and power bank. */
const readsOf = (event: RentalEvent) => ({
  configKeys: RENTAL_CONFIG_KEYS,
  stationSn: event.type === 'RETURNED' ? event.stationSn : undefined,
  powerBankSerial: event.type === 'DISPENSED' ? event.powerBankSerial : undefined,
});

type Step = NonNullable<ReturnType<typeof rentalStep>>;

/** Runs a step's effects on its context's rental and sets the status the step leads to. */
async function runStep(context: EffectContext, step: Step): Promise<void> {
  const { rental, config } = context;
  for (const effect of step.effects) await EFFECTS[effect](context);
  rental.status = step.to;
  if (step.to === 'returned') {
    // Settlement happened in the `settle` effect; what is left owed is recorded and the rental closes.
    const settled = rentalStep('returned', contextOf(rental, config), {
      type: 'SETTLED',
      dueAmount: rental.dueAmount,
    });
    if (settled) {
      rental.status = settled.to;
      rental.settledAt = context.now;
    }
  }
}

/** The renter's first completed rental (settled owing nothing, at return or when its due is paid) rewards their referral. */
const rewardsReferral = (
  locked: LockedRental,
  rental: RentalRecord,
): locked is LockedRental & { pendingReferralId: string } =>
  locked.pendingReferralId !== null && rental.status === 'settled' && rental.dueAmount === 0;

/** The context a step's effects run in: the read rental, its package and settings, no writes queued yet. */
const contextFor = (
  em: EntityManager,
  locked: LockedRental,
  pkg: PackageRecord,
  event: RentalEvent,
  config: RentalConfig,
  options: ApplyOptions,
): EffectContext => ({
  em,
  rental: locked.rental,
  pkg,
  locked,
  notices: [],
  writes: [],
  event,
  config,
  now: options.now ?? new Date(),
  options,
});

/** The rental's settings and the machine's step for `event` from the rental as read (null: no transition). */
function decide(locked: LockedRental, event: RentalEvent) {
  const config = rentalConfigOf(locked.config);
  const step = rentalStep(locked.rental.status as RentalState, contextOf(locked.rental, config), event);
  return { config, step };
}

/** `applyRentalEvent` for a rental named by id or by the bank it holds; null when there is none. */
export async function applyEventTo(
  em: EntityManager,
  target: RentalTarget,
  event: RentalEvent,
  options: ApplyOptions = {},
): Promise<Applied | null> {
  return em.transactional(async (tem) => {
    const locked = await lockRentalForEvent(tem, target, readsOf(event));
    if (!locked) return null;
    const { rental, pkg } = locked;
    const { config, step } = decide(locked, event);
    if (!step) return { applied: false, rental };
    if (!pkg) throw new DomainError('NOT_FOUND', 'no such rental package');
    const context = contextFor(tem, locked, pkg, event, config, options);
    await runStep(context, step);
    // The pending referral was read with the lock, so a renter without one costs no round trip.
    if (rewardsReferral(locked, rental)) {
      await rewardReferral(tem, locked.pendingReferralId, {
        inviter: config.referral_inviter_points,
        invitee: config.referral_invitee_points,
      });
    }
    await saveRental(tem, rental, context.notices, context.writes);
    return { applied: true, rental };
  });
}

/** Thrown by the unlocked path's stand-in entity manager: the step needs a statement of its own. */
class NeedsLock extends Error {}

/** An entity manager that refuses every use: the effects that run against it may only queue writes. */
const NO_STATEMENTS = new Proxy({} as EntityManager, {
  get: () => {
    throw new NeedsLock('this step needs statements of its own');
  },
});

/**
 * `applyEventTo` in two round trips instead of four (begin, the locked read, the write with its
 * notices, commit), for a step that writes nothing but the rental, its notices and blind writes —
 * a return owing nothing more, the runner's common case. The rental is read without its lock; the
 * step's effects run against an entity manager that refuses any statement (a charge, a deposit's
 * release, a points ratio, a referral: those go the locked way); the rental's write is guarded on
 * the figures read (`saveRentalIfUnchanged`: an event applied meanwhile makes it match nothing)
 * and leads its notices and writes in one query, one transaction, so all commit or none.
 * Undefined when it did not apply the event — no rental, no step, a step needing more, the rental
 * changed meanwhile — and nothing was written: the caller takes the locked path, which decides afresh.
 */
export async function applyEventUnlocked(
  em: EntityManager,
  target: { openWithBank: string },
  event: RentalEvent,
  options: ApplyOptions = {},
): Promise<Applied | undefined> {
  const locked = await readOpenRentalWithBank(em, target, readsOf(event));
  if (!locked?.pkg) return undefined;
  const { rental, pkg } = locked;
  const read = { ...rental };
  const { config, step } = decide(locked, event);
  if (!step) return undefined;
  const context = contextFor(NO_STATEMENTS, locked, pkg, event, config, options);
  try {
    await runStep(context, step);
  } catch (error) {
    if (error instanceof NeedsLock) return undefined;
    throw error;
  }
  if (rewardsReferral(locked, rental)) return undefined;
  const saved = await saveRentalIfUnchanged(em, rental, read, context.notices, context.writes);
  return saved ? { applied: true, rental } : undefined;
}

/** What the rental machine reads of a rental besides its status. */
export function contextOf(rental: RentalRecord, config: RentalConfig) {
  return {
    extensionCount: rental.extensionCount,
    maxExtensions: config.max_extensions,
    dueAt: rental.dueAt?.getTime() ?? null,
    dueAmount: rental.dueAmount,
    // A failed rental's payment went back in the same transaction that failed it.
    refunded: rental.status === 'failed' && (rental.walletPaid > 0 || rental.pointsPaid > 0),
  };
}

async function ratioFor(em: EntityManager, currency: string) {
  return pointsRatio(await readPaymentConfig(em), currency);
}

/** Gives back `wallet` minor units and `points` of a rental's payment: the way the money came. */
async function giveBack(c: EffectContext, wallet: number, points: number, what: string) {
  const { em, rental } = c;
  if (wallet > 0) {
    await ledger.creditWallet(em, {
      userId: rental.userId,
      amount: wallet,
      type: 'refund',
      idempotencyKey: key(rental, `${what}:wallet`),
      reference: ref(rental),
    });
  }
  if (points > 0) {
    await ledger.creditPoints(em, {
      userId: rental.userId,
      amount: points,
      type: 'refund',
      idempotencyKey: key(rental, `${what}:points`),
      reference: ref(rental),
    });
  }
}

/**
 * Charges what a rental owes from wallet and points; when they do not cover
 * it, the whole amount is recorded as a due instead (RULES.md: dues are
 * collected automatically if they suffice, otherwise recorded and notified).
 */
async function chargeOrRecordDue(
  c: EffectContext,
  amount: number,
  type: BalancePaymentType,
  what: string,
): Promise<boolean> {
  if (amount <= 0) return true;
  const { em, rental } = c;
  const refused = await refusedForFunds(() =>
    payFromBalances(em, {
      userId: rental.userId,
      amount,
      type,
      mode: 'wallet_points',
      reference: ref(rental),
      idempotencyKey: key(rental, what),
      rentalId: rental.id,
      description: `Rental ${what}`,
    }),
  );
  if (!refused) {
    rental.settledAmount += amount;
    return true;
  }
  rental.dueAmount += amount;
  notify(
    c,
    `rental_due_${what}`,
    'Payment due',
    `Your balance did not cover ${amount} (minor units) for your rental. Pay the due to rent again.`,
    { amount, currency: rental.currency },
  );
  return false;
}

async function setStartPaymentStatus(
  em: EntityManager,
  rental: RentalRecord,
  status: 'refunded' | 'succeeded',
) {
  await runPrepared(em, START_PAYMENT_STATUS, { status, key: key(rental, 'start') });
}

const START_PAYMENT_STATUS = prepared((db, p: { status: 'refunded' | 'succeeded'; key: string }) =>
  db
    .updateTable('transactions')
    .set({ status: p.status, updated_at: now() })
    .where('idempotency_key', '=', p.key),
);
const MARK_LOST = prepared((db, p: { id: string }) =>
  db
    .updateTable('power_bank')
    .set({ status: 'lost', updated_at: now() })
    .where('id', '=', p.id)
    .returning('price'),
);
const RELEASE_DISCOUNT = prepared((db, p: { rentalId: string }) =>
  db
    .updateTable('coupon_usage')
    .set({ rental_id: null, discount_amount: 0 })
    .where('rental_id', '=', p.rentalId),
);

/**
 * A failed start gives back the discount coupon it took (next-discount.ts), as it gives back the
 * money: the coupon waits for the next start again. Only a prepaid start paying less than its
 * package's price took one, so other failures cost no statement. (A late eject success after this
 * takes back the discounted payment; the coupon stays available — docs/rules.md.)
 */
async function releaseDiscount(c: EffectContext): Promise<void> {
  if (c.pkg.paymentModel !== 'prepaid' || c.rental.prepaidAmount >= c.pkg.price) return;
  await runPrepared(c.em, RELEASE_DISCOUNT, { rentalId: c.rental.id });
}

/** Queues a notification of the rental's; `saveRental` writes it with the rental's update. */
function notify(
  c: EffectContext,
  type: string,
  title: string,
  body: string,
  payload?: Record<string, unknown>,
): void {
  c.notices.push({ userId: c.rental.userId, rentalId: c.rental.id, type, title, body, payload });
}

/** A dispensed power bank's event. */
export type DispensedEvent = Extract<RentalEvent, { type: 'DISPENSED' }>;

/**
 * What a dispensed power bank sets on its rental (the `activate` effect) but the bank itself,
 * which the event names by serial: the slot, the start, the due time, no failure.
 */
export function activate(rental: RentalRecord, pkg: PackageRecord, event: DispensedEvent, now: Date): void {
  rental.startSlotIndex = event.slot;
  rental.startedAt = now;
  rental.dueAt = new Date(now.getTime() + pkg.durationMinutes * 60_000);
  rental.failureReason = null;
}

/** The notice of a started rental (the `notifyStarted` effect). */
export function startedNotice(rental: RentalRecord, event: DispensedEvent): RentalNotice {
  return {
    userId: rental.userId,
    rentalId: rental.id,
    type: 'rental_started',
    title: 'Rental started',
    body: 'Take your power bank. Return it to any station.',
    payload: { dueAt: rental.dueAt?.toISOString(), powerBankSerial: event.powerBankSerial },
  };
}

const EFFECTS: Record<RentalEffect, (c: EffectContext) => Promise<void>> = {
  markDispensing: async () => {},

  activate: async (c) => {
    if (c.event.type !== 'DISPENSED') return;
    // A late success after a failure: the deposit went back with the failure; hold it again if the wallet still can.
    if (c.rental.status === 'failed') {
      await holdDeposit(c.em, c.rental, postpaidDeposit(c.pkg, c.config), false);
    }
    activate(c.rental, c.pkg, c.event, c.now);
    c.rental.powerBankId = c.locked.powerBankId;
  },

  refund: async (c) => {
    if (c.event.type === 'DISPENSE_FAILED') c.rental.failureReason = c.event.reason.slice(0, 120);
    await giveBack(c, c.rental.walletPaid, c.rental.pointsPaid, 'refund');
    await releaseDeposit(c.em, c.rental);
    await setStartPaymentStatus(c.em, c.rental, 'refunded');
    await releaseDiscount(c);
  },

  reverseRefund: async (c) => {
    const { em, rental } = c;
    // The user has the power bank after all: take the refund back; what cannot be taken becomes a due.
    const debit = { userId: rental.userId, reference: ref(rental) };
    if (rental.walletPaid > 0) {
      const refused = await refusedForFunds(() =>
        ledger.debitWallet(em, {
          ...debit,
          amount: rental.walletPaid,
          type: 'rental_charge',
          idempotencyKey: key(rental, 'refund-reversal:wallet'),
        }),
      );
      if (refused) rental.dueAmount += rental.walletPaid;
    }
    if (rental.pointsPaid > 0) {
      const refused = await refusedForFunds(() =>
        ledger.debitPoints(em, {
          ...debit,
          amount: rental.pointsPaid,
          type: 'rental_payment',
          idempotencyKey: key(rental, 'refund-reversal:points'),
        }),
      );
      if (refused) rental.dueAmount += pointsToMinor(rental.pointsPaid, await ratioFor(em, rental.currency));
    }
    await setStartPaymentStatus(em, rental, 'succeeded');
  },

  notifyStarted: async (c) => {
    if (c.event.type === 'DISPENSED') c.notices.push(startedNotice(c.rental, c.event));
  },
  notifyFailed: async (c) =>
    notify(
      c,
      'rental_failed',
      'Rental could not start',
      'The station could not release a power bank. Your payment was returned.',
      { reason: c.rental.failureReason },
    ),
  notifyDueSoon: async (c) =>
    notify(c, 'rental_due_soon', 'Rental due soon', 'Your rental is due soon. Return or extend it.', {
      dueAt: c.rental.dueAt?.toISOString(),
    }),
  notifyOverdue: async (c) =>
    notify(
      c,
      'rental_overdue',
      'Rental overdue',
      'Your rental is overdue; late fees apply after the grace period.',
      { dueAt: c.rental.dueAt?.toISOString() },
    ),
  notifyLost: async (c) =>
    notify(
      c,
      'rental_lost',
      'Power bank counted as bought',
      'Your rental passed its maximum and was closed.',
    ),

  chargeLostPrice: async (c) => {
    const [powerBank] = c.rental.powerBankId
      ? await runPrepared(c.em, MARK_LOST, { id: c.rental.powerBankId })
      : [];
    const price = powerBank ? Number(powerBank.price) : 0;
    // Capture: the hold goes back and the price is charged in this transaction.
    await releaseDeposit(c.em, c.rental);
    await chargeOrRecordDue(c, price, 'fine', 'lost');
  },

  settle: async (c) => {
    if (c.event.type !== 'RETURNED') return;
    const { em, rental, pkg, config } = c;
    const returnedAt = new Date(c.event.at);
    rental.returnedAt = returnedAt;
    rental.returnStationId = c.locked.stationId;
    rental.returnSlotIndex = c.event.slot;
    const startedAt = rental.startedAt ?? rental.createdAt;
    const settlement = settleRental({
      paymentModel: pkg.paymentModel,
      startedAt,
      dueAt: rental.dueAt ?? startedAt,
      returnedAt,
      perMinuteRate: pkg.perMinuteRate,
      alreadyPaid: rental.prepaidAmount,
      priceCap: c.locked.powerBankPrice ?? Number.MAX_SAFE_INTEGER,
      policy: lateFeePolicy(config),
    });
    rental.overageAmount = settlement.overage;
    rental.lateFeeAmount = settlement.lateFee;
    // Capture: the deposit is released and what is owed charged in this same transaction, so the
    // held money pays the bill; what the wallet and points cannot cover becomes a due as before.
    await releaseDeposit(em, rental);
    await chargeOrRecordDue(
      c,
      settlement.total,
      pkg.paymentModel === 'postpaid' ? 'rental' : 'fine',
      'settle',
    );
    const bonus = config.return_points + (settlement.timely ? config.timely_return_points : 0);
    // The points keys are this rental's, written only here, under its row lock, once (the machine
    // settles a rental once), and nothing reads their result: they go with the rental's update, in
    // its round trip (two fewer per rental), each checked to have written its row.
    if (config.return_points > 0) {
      c.writes.push(
        ...pointsCreditStatements({
          userId: rental.userId,
          amount: config.return_points,
          type: 'rental_reward',
          idempotencyKey: key(rental, 'return-points'),
          reference: ref(rental),
        }),
      );
    }
    if (settlement.timely && config.timely_return_points > 0) {
      c.writes.push(
        ...pointsCreditStatements({
          userId: rental.userId,
          amount: config.timely_return_points,
          type: 'timely_return',
          idempotencyKey: key(rental, 'timely-points'),
          reference: ref(rental),
        }),
      );
    }
    if (settlement.total > 0 && rental.dueAmount === 0) {
      notify(c, 'rental_charged', 'Rental charged', `Charged ${settlement.total} (minor units) at return.`, {
        amount: settlement.total,
        currency: rental.currency,
        overage: settlement.overage,
        lateFee: settlement.lateFee,
        usage: settlement.usage,
      });
    }
    // A completed rental (and a timely one) counts towards achievements, settled once like the points.
    c.writes.push(
      achievementProgressStatement(
        rental.userId,
        settlement.timely ? ['rentals', 'timely_returns'] : ['rentals'],
      ),
    );
    notify(c, 'rental_returned', 'Power bank returned', `Thanks! You earned ${bonus} points.`, {
      points: bonus,
      timely: settlement.timely,
      stationSn: c.event.stationSn,
      stationName: c.locked.stationName ?? c.event.stationSn,
    });
  },

  notifyReturned: async () => {
    // Written by `settle`, which knows the bonus and charges.
  },

  refundCancelled: async (c) => {
    const { rental, pkg, config, now } = c;
    const minutes = rental.startedAt ? startedMinutes(rental.startedAt, now) : 0;
    const fee = cancellationFee(
      minutes,
      config.cancel_free_minutes,
      pkg.perMinuteRate,
      lateFeePolicy(config),
      rental.prepaidAmount,
    );
    // The fee is kept from the wallet part first, then from points; the rest goes back where it came from.
    const walletBack = Math.max(0, rental.walletPaid - fee);
    const feeLeft = Math.max(0, fee - rental.walletPaid);
    const pointsKept = feeLeft > 0 ? pointsToCover(feeLeft, await ratioFor(c.em, rental.currency)) : 0;
    const pointsBack = Math.max(0, rental.pointsPaid - pointsKept);
    await giveBack(c, walletBack, pointsBack, 'cancel');
    await releaseDeposit(c.em, rental);
    rental.cancelledAt = now;
    rental.settledAmount = fee;
    notify(
      c,
      'rental_cancelled',
      'Rental cancelled',
      fee > 0 ? `A fee of ${fee} was kept.` : 'Fully refunded.',
    );
  },

  chargeExtension: async (c) => {
    const { em, rental, options } = c;
    if (c.event.type !== 'EXTEND' || !options.payment || options.extensionPackageId === undefined) {
      throw new DomainError('VALIDATION_FAILED', 'an extension needs a package and a payment');
    }
    const pkg = await readPackage(em, options.extensionPackageId);
    if (!pkg) throw new DomainError('NOT_FOUND', 'no such rental package');
    const payment = await payAsUser(em, {
      userId: rental.userId,
      amount: pkg.price,
      type: 'extension',
      mode: options.payment.mode,
      split: options.payment.split,
      reference: ref(rental),
      idempotencyKey: options.payment.idempotencyKey,
      rentalId: rental.id,
      description: `Extension by ${pkg.durationMinutes} minutes`,
    });
    const previousDueAt = rental.dueAt ?? c.now;
    const newDueAt = new Date(previousDueAt.getTime() + c.event.minutes * 60_000);
    // Inserted by transactional()'s flush at commit, after the rental's own update.
    em.create(RentalExtension, {
      rental: em.getReference(Rental, rental.id),
      package: em.getReference(RentalPackage, pkg.id),
      minutes: c.event.minutes,
      amount: pkg.price,
      currency: pkg.currency,
      transaction: payment.transactionId,
      previousDueAt,
      newDueAt,
      idempotencyKey: options.payment.idempotencyKey,
    });
    rental.dueAt = newDueAt;
    rental.extensionCount += 1;
    rental.prepaidAmount += pkg.price;
  },

  waiveDue: async (c) => {
    if (c.event.type !== 'WAIVE_DUE') return;
    const waived = Math.min(c.event.amount, c.rental.dueAmount);
    c.rental.dueAmount -= waived;
    notify(
      c,
      c.rental.dueAmount === 0 ? 'rental_due_waived' : 'rental_due_reduced',
      'Due reduced',
      c.rental.dueAmount === 0
        ? 'The amount owed on your rental was waived.'
        : `The amount owed on your rental was reduced by ${waived} (minor units).`,
      { waived, dueAmount: c.rental.dueAmount },
    );
  },

  closeRefunded: async (c) => {
    c.rental.cancelledAt = c.now;
    notify(
      c,
      'rental_refunded',
      'Rental closed and refunded',
      'Your rental was closed and your payment returned.',
    );
  },

  collectDue: async (c) => {
    const { em, rental, options } = c;
    if (!options.payment) throw new DomainError('VALIDATION_FAILED', 'paying a due needs a payment choice');
    await payAsUser(em, {
      userId: rental.userId,
      amount: rental.dueAmount,
      type: 'due',
      mode: options.payment.mode,
      split: options.payment.split,
      reference: ref(rental),
      idempotencyKey: options.payment.idempotencyKey,
      rentalId: rental.id,
      description: 'Rental due',
    });
    rental.settledAmount += rental.dueAmount;
    rental.dueAmount = 0;
  },
};
