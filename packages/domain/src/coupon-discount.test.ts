import { describe, expect, it } from 'vitest';
import { couponDiscount } from './coupon-discount.ts';

describe('couponDiscount', () => {
  it('takes a percentage rounded down', () => {
    expect(couponDiscount({ kind: 'percent_discount', value: 10 }, 800)).toBe(80);
    expect(couponDiscount({ kind: 'percent_discount', value: 15 }, 333)).toBe(49);
    expect(couponDiscount({ kind: 'percent_discount', value: 100 }, 800)).toBe(800);
  });

  it('takes an amount, never more than the price', () => {
    expect(couponDiscount({ kind: 'amount_discount', value: 300 }, 800)).toBe(300);
    expect(couponDiscount({ kind: 'amount_discount', value: 1_000 }, 800)).toBe(800);
  });

  it('takes nothing off a free or malformed price', () => {
    expect(couponDiscount({ kind: 'amount_discount', value: 300 }, 0)).toBe(0);
    expect(couponDiscount({ kind: 'percent_discount', value: 10 }, 1.5)).toBe(0);
  });
});
