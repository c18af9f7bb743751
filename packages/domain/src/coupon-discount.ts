/** A discount coupon as a rental start reads it. */
export interface DiscountCoupon {
  kind: 'percent_discount' | 'amount_discount';
  /** Percent (1–100) or minor units. */
  value: number;
}

/**
 * What a discount coupon takes off a price, in minor units: a percentage rounded down (the
 * user never gets more than the percent), an amount capped at the price (a discount never pays
 * the user). Integers in, integer out.
 */
export function couponDiscount(coupon: DiscountCoupon, price: number): number {
  if (!Number.isSafeInteger(price) || price <= 0) return 0;
  const value = Math.max(0, Math.trunc(coupon.value));
  const off = coupon.kind === 'percent_discount' ? Math.floor((price * Math.min(value, 100)) / 100) : value;
  return Math.min(off, price);
}
