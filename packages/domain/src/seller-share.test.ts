import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceRental } from './market-pricing.ts';
import { revenueOfLines, sellerShare } from './seller-share.ts';

describe('sellerShare', () => {
  it('10% of 90.00 is 9.00; half a cent rounds up', () => {
    expect(sellerShare(9000, 1000)).toEqual({ gross: 9000, commission: 900, net: 8100 });
    expect(sellerShare(5, 1000)).toEqual({ gross: 5, commission: 1, net: 4 });
    expect(sellerShare(4, 1000)).toEqual({ gross: 4, commission: 0, net: 4 });
    expect(sellerShare(0, 1000)).toEqual({ gross: 0, commission: 0, net: 0 });
  });

  it('refuses a negative gross, a fraction and a rate out of range', () => {
    expect(() => sellerShare(-1, 1000)).toThrow(/negative/);
    expect(() => sellerShare(10.5, 1000)).toThrow();
    expect(() => sellerShare(100, 10_001)).toThrow(/basis points/);
    expect(() => sellerShare(100, 1.5)).toThrow(/basis points/);
  });

  it('property: commission + net = gross, both whole and never negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 10_000 }), (gross, bp) => {
        const s = sellerShare(gross, bp);
        expect(s.commission + s.net).toBe(gross);
        expect(s.commission).toBeGreaterThanOrEqual(0);
        expect(s.net).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(s.commission)).toBe(true);
      }),
    );
  });
});

describe('revenueOfLines', () => {
  it("is an invoice's rent after discounts, without tax and deposit", () => {
    const price = priceRental({
      unit: 'day',
      unitPrice: 4500,
      deposit: 10_000,
      startMs: 0,
      endMs: 2 * 86_400_000,
      quantity: 1,
      minUnits: 1,
      maxUnits: null,
      subscriptionPercent: 20,
      taxRateBp: 1000,
    });
    expect(revenueOfLines(price.lines)).toBe(7200);
    expect(revenueOfLines(price.lines)).toBe(price.rent - price.discount);
    expect(revenueOfLines([...price.lines, { kind: 'late_fee', amount: 4500 }])).toBe(11_700);
  });
});
