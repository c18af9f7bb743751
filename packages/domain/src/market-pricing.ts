import { DomainError } from './errors.ts';
import { assertMinorUnits } from './money.ts';

/** A marketplace order's statuses: the states of packages/machines' order machine. */
export const ORDER_STATUSES = [
  'draft',
  'reserved',
  'confirmed',
  'active',
  'returned',
  'completed',
  'cancelled',
  'expired',
  'disputed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** How a product is priced: per hour, day, week or month (30 days). */
export type PricingUnit = 'hour' | 'day' | 'week' | 'month';

const HOUR = 3_600_000;
export const PRICING_UNIT_MS: Record<PricingUnit, number> = {
  hour: HOUR,
  day: 24 * HOUR,
  week: 7 * 24 * HOUR,
  month: 30 * 24 * HOUR,
};

/** A coupon's discount (engagement's coupons plug in here): a percentage or a fixed amount. */
export type Discount =
  | { kind: 'percent'; percent: number; label?: string }
  | { kind: 'fixed'; amount: number; label?: string };

export interface RentalPriceInput {
  unit: PricingUnit;
  /** Price of one unit of one item, minor units. */
  unitPrice: number;
  /** Deposit per item, minor units (held, not charged). */
  deposit: number;
  startMs: number;
  endMs: number;
  quantity: number;
  minUnits: number;
  maxUnits: number | null;
  coupon?: Discount;
  /** A subscription's percentage off (issue 21's plans plug in here). */
  subscriptionPercent?: number;
  /** Tax on the discounted rent, in basis points (AppConfig `market_tax_rate_bp`). */
  taxRateBp: number;
}

export type PriceLineKind = 'rent' | 'subscription_discount' | 'coupon_discount' | 'tax' | 'deposit';

/** One invoice line: discounts are negative. */
export interface PriceLine {
  kind: PriceLineKind;
  label: string;
  amount: number;
}

export interface RentalPrice {
  /** Pricing units charged (the period rounded up to whole units). */
  units: number;
  lines: PriceLine[];
  rent: number;
  /** Both discounts together, a positive amount never above the rent. */
  discount: number;
  tax: number;
  /** What is charged: rent − discount + tax. */
  charge: number;
  /** What is held on the wallet. */
  deposit: number;
  /** Sum of the lines: charge + deposit. */
  total: number;
}

/** `value × percent / 100`, rounded down (a discount never rounds in the shop's favour… nor beyond the rent). */
const percentOf = (value: number, percent: number) => Math.floor((value * percent) / 100);
/** `value × bp / 10000`, rounded half up. */
const basisPointsOf = (value: number, bp: number) => Math.floor((value * bp + 5_000) / 10_000);

function checkInput(input: RentalPriceInput): void {
  assertMinorUnits(input.unitPrice, 'unitPrice');
  assertMinorUnits(input.deposit, 'deposit');
  if (input.unitPrice < 0 || input.deposit < 0) {
    throw new DomainError('VALIDATION_FAILED', 'prices and deposits are never negative');
  }
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1) {
    throw new DomainError('VALIDATION_FAILED', 'quantity must be a whole number of at least 1');
  }
  if (!(input.endMs > input.startMs)) {
    throw new DomainError('VALIDATION_FAILED', 'the period must end after it starts');
  }
  if (!Number.isInteger(input.taxRateBp) || input.taxRateBp < 0 || input.taxRateBp > 10_000) {
    throw new DomainError('VALIDATION_FAILED', 'the tax rate must be 0–10000 basis points');
  }
  const percent = input.subscriptionPercent ?? 0;
  const couponPercent = input.coupon?.kind === 'percent' ? input.coupon.percent : 0;
  for (const p of [percent, couponPercent]) {
    if (!Number.isFinite(p) || p < 0 || p > 100) {
      throw new DomainError('VALIDATION_FAILED', 'a percentage discount is 0–100');
    }
  }
  if (input.coupon?.kind === 'fixed') assertMinorUnits(input.coupon.amount, 'coupon');
  if (input.coupon?.kind === 'fixed' && input.coupon.amount < 0) {
    throw new DomainError('VALIDATION_FAILED', 'a fixed discount is never negative');
  }
}

/**
 * The one price of a marketplace rental: the quote shows it, the checkout charges it. The period
 * is rounded up to whole pricing units and must lie within the product's minimum and maximum;
 * the subscription's percentage comes off the rent first, then the coupon off what is left (a
 * fixed coupon never beyond it), then tax on the discounted rent. The deposit is a line of its
 * own: it is held, not charged.
 */
export function priceRental(input: RentalPriceInput): RentalPrice {
  checkInput(input);
  const units = Math.ceil((input.endMs - input.startMs) / PRICING_UNIT_MS[input.unit]);
  if (units < input.minUnits) {
    throw new DomainError('BUSINESS_RULE', `the shortest rental is ${input.minUnits} ${input.unit}(s)`, {
      minUnits: input.minUnits,
    });
  }
  if (input.maxUnits !== null && units > input.maxUnits) {
    throw new DomainError('BUSINESS_RULE', `the longest rental is ${input.maxUnits} ${input.unit}(s)`, {
      maxUnits: input.maxUnits,
    });
  }
  const rent = assertMinorUnits(input.unitPrice * units * input.quantity, 'rent');
  const lines: PriceLine[] = [
    { kind: 'rent', label: `${input.quantity} × ${units} ${input.unit}(s)`, amount: rent },
  ];
  const subscription = percentOf(rent, input.subscriptionPercent ?? 0);
  if (subscription > 0) {
    lines.push({ kind: 'subscription_discount', label: 'Subscription', amount: -subscription });
  }
  const afterSubscription = rent - subscription;
  const coupon = input.coupon
    ? input.coupon.kind === 'percent'
      ? percentOf(afterSubscription, input.coupon.percent)
      : Math.min(input.coupon.amount, afterSubscription)
    : 0;
  if (coupon > 0) {
    lines.push({ kind: 'coupon_discount', label: input.coupon?.label ?? 'Coupon', amount: -coupon });
  }
  const taxable = afterSubscription - coupon;
  const tax = basisPointsOf(taxable, input.taxRateBp);
  if (tax > 0) lines.push({ kind: 'tax', label: `Tax ${input.taxRateBp / 100}%`, amount: tax });
  const deposit = assertMinorUnits(input.deposit * input.quantity, 'deposit');
  if (deposit > 0) lines.push({ kind: 'deposit', label: 'Deposit (held)', amount: deposit });
  const charge = taxable + tax;
  return {
    units,
    lines,
    rent,
    discount: subscription + coupon,
    tax,
    charge,
    deposit,
    total: charge + deposit,
  };
}

/** Cancellation policy (AppConfig): a full refund long enough before the start, part of it closer, none after. */
export interface CancellationPolicy {
  fullRefundHours: number;
  partialRefundHours: number;
  partialRefundPercent: number;
}

/** What a cancellation gives back of `paid`, by how long before the start it comes. */
export function cancellationRefund(
  paid: number,
  startMs: number,
  nowMs: number,
  policy: CancellationPolicy,
): number {
  const hoursBefore = (startMs - nowMs) / HOUR;
  if (hoursBefore >= policy.fullRefundHours) return paid;
  if (hoursBefore >= policy.partialRefundHours) return percentOf(paid, policy.partialRefundPercent);
  return 0;
}
