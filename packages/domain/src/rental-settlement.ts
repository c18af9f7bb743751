/**
 * What a rental costs at its end (RULES.md "Rentals"). Pure: times and
 * figures in, minor units out. Every figure comes from AppConfig or the
 * package; nothing here is a business constant.
 */

export interface LateFeePolicy {
  /** Minutes after the due time that cost nothing. */
  graceMinutes: number;
  /** Late fee per minute = package per-minute rate × this. */
  multiplier: number;
  /** Optional flat amount per started overdue hour (0 = none). */
  hourlyFlat: number;
  /** Most late fee per started overdue day. */
  dailyCap: number;
}

export interface SettlementInput {
  paymentModel: 'prepaid' | 'postpaid';
  startedAt: Date;
  dueAt: Date;
  returnedAt: Date;
  perMinuteRate: number;
  /** Already paid for this rental (prepaid price and extensions). */
  alreadyPaid: number;
  /** The power bank's price: nobody pays more for a rental than for buying it. */
  priceCap: number;
  policy: LateFeePolicy;
}

export interface Settlement {
  /** Postpaid: minutes used × rate. Prepaid: 0 (paid up front). */
  usage: number;
  /** Prepaid: minutes beyond the due time × rate. */
  overage: number;
  lateFee: number;
  /** What is charged now: usage + overage + late fee, capped so the whole rental costs at most `priceCap`. */
  total: number;
  /** Returned by the due time (earns the timely-return bonus). */
  timely: boolean;
  minutesUsed: number;
  minutesOverdue: number;
}

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

/** Whole minutes, a started minute counting as one. */
export function startedMinutes(from: Date, to: Date): number {
  return Math.max(0, Math.ceil((to.getTime() - from.getTime()) / MINUTE_MS));
}

/**
 * Late fee for `minutesOverdue`: nothing within the grace period; after it,
 * the minutes beyond grace × rate × multiplier plus the flat rate per started
 * hour, capped at `dailyCap` per started overdue day.
 */
export function lateFee(minutesOverdue: number, perMinuteRate: number, policy: LateFeePolicy): number {
  const chargeable = minutesOverdue - policy.graceMinutes;
  if (chargeable <= 0) return 0;
  const byMinute = Math.round(chargeable * perMinuteRate * policy.multiplier);
  const byHour = Math.ceil(chargeable / 60) * policy.hourlyFlat;
  const cap = Math.ceil(minutesOverdue / DAY_MINUTES) * policy.dailyCap;
  return Math.min(byMinute + byHour, cap);
}

export function settleRental(input: SettlementInput): Settlement {
  const minutesUsed = Math.max(1, startedMinutes(input.startedAt, input.returnedAt));
  const minutesOverdue = startedMinutes(input.dueAt, input.returnedAt);
  const usage = input.paymentModel === 'postpaid' ? minutesUsed * input.perMinuteRate : 0;
  const overage = input.paymentModel === 'prepaid' ? minutesOverdue * input.perMinuteRate : 0;
  const fee = lateFee(minutesOverdue, input.perMinuteRate, input.policy);
  const room = Math.max(0, input.priceCap - input.alreadyPaid);
  return {
    usage,
    overage,
    lateFee: fee,
    total: Math.min(usage + overage + fee, room),
    timely: input.returnedAt.getTime() <= input.dueAt.getTime(),
    minutesUsed,
    minutesOverdue,
  };
}

/**
 * Cancelling (RULES.md): free within the free window; afterwards the
 * late-fee formula on the minutes used, never more than was paid. Returns
 * what is kept; the rest goes back.
 */
export function cancellationFee(
  minutesUsed: number,
  freeMinutes: number,
  perMinuteRate: number,
  policy: LateFeePolicy,
  paid: number,
): number {
  if (minutesUsed <= freeMinutes) return 0;
  return Math.min(lateFee(minutesUsed, perMinuteRate, { ...policy, graceMinutes: 0 }), paid);
}
