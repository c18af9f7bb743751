import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import {
  cancellationRefund,
  type Discount,
  PRICING_UNIT_MS,
  type PricingUnit,
  priceRental,
  type RentalPriceInput,
} from './market-pricing.ts';

const DAY = PRICING_UNIT_MS.day;
const base: RentalPriceInput = {
  unit: 'day',
  unitPrice: 4500,
  deposit: 10_000,
  startMs: 0,
  endMs: 2 * DAY,
  quantity: 1,
  minUnits: 1,
  maxUnits: null,
  taxRateBp: 0,
};

const unit = fc.constantFrom<PricingUnit>('hour', 'day', 'week', 'month');
const discount: fc.Arbitrary<Discount | undefined> = fc.option(
  fc.oneof(
    fc.record({ kind: fc.constant('percent' as const), percent: fc.integer({ min: 0, max: 100 }) }),
    fc.record({ kind: fc.constant('fixed' as const), amount: fc.integer({ min: 0, max: 10_000_000 }) }),
  ),
  { nil: undefined },
);
const anyInput: fc.Arbitrary<RentalPriceInput> = fc
  .record({
    unit,
    unitPrice: fc.integer({ min: 0, max: 1_000_000 }),
    deposit: fc.integer({ min: 0, max: 1_000_000 }),
    startMs: fc.integer({ min: 0, max: 1e12 }),
    durationMs: fc.integer({ min: 1, max: 90 * DAY }),
    quantity: fc.integer({ min: 1, max: 20 }),
    coupon: discount,
    subscriptionPercent: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
    taxRateBp: fc.integer({ min: 0, max: 10_000 }),
  })
  .map(({ durationMs, ...r }) => ({
    ...r,
    endMs: r.startMs + durationMs,
    minUnits: 1,
    maxUnits: null,
  }));

describe('priceRental', () => {
  it('two days of a 45.00/day camera with a 100.00 deposit', () => {
    const price = priceRental(base);
    expect(price).toMatchObject({ units: 2, rent: 9000, discount: 0, tax: 0, charge: 9000, deposit: 10_000 });
    expect(price.lines.map((l) => [l.kind, l.amount])).toEqual([
      ['rent', 9000],
      ['deposit', 10_000],
    ]);
  });

  it('rounds a started unit up, and the touching end is not one more unit', () => {
    expect(priceRental({ ...base, endMs: DAY + 1 }).units).toBe(2);
    expect(priceRental({ ...base, endMs: DAY }).units).toBe(1);
    expect(priceRental({ ...base, unit: 'hour', endMs: 90 * 60_000 }).units).toBe(2);
  });

  it('subscription first, then the coupon on what is left, then tax on the discounted rent', () => {
    const price = priceRental({
      ...base,
      subscriptionPercent: 10,
      coupon: { kind: 'fixed', amount: 1000 },
      taxRateBp: 1300,
    });
    // 9000 − 900 − 1000 = 7100; tax 13% = 923
    expect(price.lines.map((l) => [l.kind, l.amount])).toEqual([
      ['rent', 9000],
      ['subscription_discount', -900],
      ['coupon_discount', -1000],
      ['tax', 923],
      ['deposit', 10_000],
    ]);
    expect(price.charge).toBe(8023);
  });

  it('a fixed coupon larger than the rent only brings it to zero', () => {
    const price = priceRental({ ...base, coupon: { kind: 'fixed', amount: 1_000_000 }, taxRateBp: 500 });
    expect(price).toMatchObject({ discount: 9000, tax: 0, charge: 0, total: 10_000 });
  });

  it('refuses a period outside the minimum and maximum, an empty period, bad quantities and rates', () => {
    const code = (input: Partial<RentalPriceInput>) => {
      try {
        priceRental({ ...base, ...input });
        return 'ok';
      } catch (error) {
        return (error as DomainError).code;
      }
    };
    expect(code({ minUnits: 3 })).toBe('BUSINESS_RULE');
    expect(code({ maxUnits: 1 })).toBe('BUSINESS_RULE');
    expect(code({ endMs: 0 })).toBe('VALIDATION_FAILED');
    expect(code({ quantity: 0 })).toBe('VALIDATION_FAILED');
    expect(code({ quantity: 1.5 })).toBe('VALIDATION_FAILED');
    expect(code({ taxRateBp: -1 })).toBe('VALIDATION_FAILED');
    expect(code({ subscriptionPercent: 101 })).toBe('VALIDATION_FAILED');
    expect(code({ coupon: { kind: 'fixed', amount: -5 } })).toBe('VALIDATION_FAILED');
    expect(code({ unitPrice: 10.5 })).toBe('VALIDATION_FAILED');
  });

  it('property: total = sum of lines; charge = rent − discount + tax; nothing negative; discount ≤ rent', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const price = priceRental(input);
        const sum = price.lines.reduce((s, l) => s + l.amount, 0);
        expect(sum).toBe(price.total);
        expect(price.total).toBe(price.charge + price.deposit);
        expect(price.charge).toBe(price.rent - price.discount + price.tax);
        for (const v of [price.total, price.charge, price.tax, price.discount, price.deposit]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(Number.isInteger(v)).toBe(true);
        }
        expect(price.discount).toBeLessThanOrEqual(price.rent);
        expect(price.units * PRICING_UNIT_MS[input.unit]).toBeGreaterThanOrEqual(input.endMs - input.startMs);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: more units never cost less, and a discount never raises the charge', () => {
    fc.assert(
      fc.property(anyInput, fc.integer({ min: 1, max: 10 * DAY }), (input, extra) => {
        const longer = priceRental({ ...input, endMs: input.endMs + extra });
        const price = priceRental(input);
        expect(longer.rent).toBeGreaterThanOrEqual(price.rent);
        const plain = priceRental({ ...input, coupon: undefined, subscriptionPercent: undefined });
        expect(price.charge).toBeLessThanOrEqual(plain.charge);
      }),
    );
  });
});

describe('priceRental with a subscription (issue 21)', () => {
  it("property: the plan's line is its percentage of the rent, rounded down, and comes before the coupon", () => {
    fc.assert(
      fc.property(anyInput, fc.integer({ min: 0, max: 100 }), (input, percent) => {
        const price = priceRental({ ...input, subscriptionPercent: percent });
        const line = price.lines.find((l) => l.kind === 'subscription_discount');
        const expected = Math.floor((price.rent * percent) / 100);
        expect((line?.amount ?? 0) + expected).toBe(0);
        const kinds = price.lines.map((l) => l.kind);
        if (line && kinds.includes('coupon_discount')) {
          expect(kinds.indexOf('subscription_discount')).toBeLessThan(kinds.indexOf('coupon_discount'));
        }
        // The coupon is taken off what the plan left, so both together never exceed the rent.
        expect(price.discount).toBeLessThanOrEqual(price.rent);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: a larger plan percentage never charges more; the deposit never changes', () => {
    fc.assert(
      fc.property(
        anyInput,
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (input, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const less = priceRental({ ...input, subscriptionPercent: low });
          const more = priceRental({ ...input, subscriptionPercent: high });
          expect(more.charge).toBeLessThanOrEqual(less.charge);
          expect(more.deposit).toBe(less.deposit);
        },
      ),
    );
  });

  it('a 100% plan makes the rent free (no tax, a coupon has nothing left) and the deposit is still held', () => {
    const price = priceRental({
      ...base,
      subscriptionPercent: 100,
      coupon: { kind: 'fixed', amount: 500 },
      taxRateBp: 1000,
    });
    expect(price).toMatchObject({ discount: 9000, tax: 0, charge: 0, deposit: 10_000, total: 10_000 });
    expect(price.lines.map((l) => l.kind)).toEqual(['rent', 'subscription_discount', 'deposit']);
  });
});

describe('cancellationRefund', () => {
  const policy = { fullRefundHours: 48, partialRefundHours: 24, partialRefundPercent: 50 };
  const H = 3_600_000;
  it('full, partial, none by the time before the start', () => {
    expect(cancellationRefund(9000, 100 * H, 52 * H, policy)).toBe(9000);
    expect(cancellationRefund(9000, 100 * H, 53 * H, policy)).toBe(4500);
    expect(cancellationRefund(9001, 100 * H, 76 * H, policy)).toBe(4500);
    expect(cancellationRefund(9000, 100 * H, 77 * H, policy)).toBe(0);
    expect(cancellationRefund(9000, 100 * H, 200 * H, policy)).toBe(0);
  });
  it('property: never more than paid, never negative', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.integer({ min: 0, max: 100 }),
        (paid, before, percent) => {
          const r = cancellationRefund(paid, before, 0, { ...policy, partialRefundPercent: percent });
          expect(r).toBeGreaterThanOrEqual(0);
          expect(r).toBeLessThanOrEqual(paid);
        },
      ),
    );
  });
});

it('DomainError is what it throws', () => {
  expect(() => priceRental({ ...base, endMs: -1 })).toThrow(DomainError);
});
