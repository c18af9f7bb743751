import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cancellationFee, type LateFeePolicy, lateFee, settleRental } from './rental-settlement.ts';

const policy: LateFeePolicy = { graceMinutes: 2, multiplier: 2, hourlyFlat: 0, dailyCap: 10_000 };
const t0 = new Date('2026-01-01T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describe('rental settlement (RULES.md defaults)', () => {
  it('prepaid returned on time: nothing more to pay, timely', () => {
    const s = settleRental({
      paymentModel: 'prepaid',
      startedAt: t0,
      dueAt: at(60),
      returnedAt: at(59.5),
      perMinuteRate: 10,
      alreadyPaid: 500,
      priceCap: 3000,
      policy,
    });
    expect(s).toMatchObject({ usage: 0, overage: 0, lateFee: 0, total: 0, timely: true, minutesUsed: 60 });
  });
  it('prepaid 10 minutes late: overage 10 × rate, late fee (10 − 2 grace) × rate × 2', () => {
    const s = settleRental({
      paymentModel: 'prepaid',
      startedAt: t0,
      dueAt: at(60),
      returnedAt: at(70),
      perMinuteRate: 10,
      alreadyPaid: 500,
      priceCap: 3000,
      policy,
    });
    expect(s).toMatchObject({ overage: 100, lateFee: 160, total: 260, timely: false, minutesOverdue: 10 });
  });
  it('within grace: overage only', () => {
    expect(lateFee(2, 10, policy)).toBe(0);
    expect(lateFee(3, 10, policy)).toBe(20);
  });
  it('postpaid: minutes used × rate, a started minute counts', () => {
    const s = settleRental({
      paymentModel: 'postpaid',
      startedAt: t0,
      dueAt: at(1440),
      returnedAt: at(30.2),
      perMinuteRate: 5,
      alreadyPaid: 0,
      priceCap: 3000,
      policy,
    });
    expect(s).toMatchObject({ usage: 155, overage: 0, lateFee: 0, total: 155, timely: true });
  });
  it('the whole rental never costs more than the power bank', () => {
    const s = settleRental({
      paymentModel: 'prepaid',
      startedAt: t0,
      dueAt: at(60),
      returnedAt: at(60 + 3 * 1440),
      perMinuteRate: 10,
      alreadyPaid: 500,
      priceCap: 3000,
      policy,
    });
    expect(s.total).toBe(2500);
  });
  it('flat hourly rate is added per started hour', () => {
    expect(lateFee(63, 0, { ...policy, hourlyFlat: 100 })).toBe(200);
  });
  it('cancellation: free within the window, else capped at what was paid', () => {
    expect(cancellationFee(4, 5, 10, policy, 500)).toBe(0);
    expect(cancellationFee(10, 5, 10, policy, 500)).toBe(200);
    expect(cancellationFee(1000, 5, 10, policy, 500)).toBe(500);
  });

  const policyArb = fc.record({
    graceMinutes: fc.integer({ min: 0, max: 30 }),
    multiplier: fc.integer({ min: 0, max: 5 }),
    hourlyFlat: fc.integer({ min: 0, max: 1000 }),
    dailyCap: fc.integer({ min: 0, max: 100_000 }),
  });
  it('property: late fee is monotone in lateness and within the per-day cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * 1440 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 1000 }),
        policyArb,
        (minutes, extra, rate, p) => {
          const fee = lateFee(minutes, rate, p);
          expect(Number.isInteger(fee)).toBe(true);
          expect(fee).toBeGreaterThanOrEqual(0);
          expect(fee).toBeLessThanOrEqual(Math.ceil(minutes / 1440) * p.dailyCap);
          if (minutes <= p.graceMinutes) expect(fee).toBe(0);
          // Later never costs less, except where a new day's cap is reached (the cap only grows with days).
          expect(lateFee(minutes + extra, rate, p)).toBeGreaterThanOrEqual(
            Math.min(fee, Math.ceil(minutes / 1440) * p.dailyCap),
          );
        },
      ),
    );
  });
  it('property: the total is an integer between 0 and the room left under the price', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('prepaid' as const, 'postpaid' as const),
        fc.integer({ min: 1, max: 1440 }),
        fc.integer({ min: 0, max: 5 * 1440 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 50_000 }),
        policyArb,
        (model, duration, held, rate, paid, price, p) => {
          const s = settleRental({
            paymentModel: model,
            startedAt: t0,
            dueAt: at(duration),
            returnedAt: at(held),
            perMinuteRate: rate,
            alreadyPaid: paid,
            priceCap: price,
            policy: p,
          });
          expect(Number.isInteger(s.total)).toBe(true);
          expect(s.total).toBeGreaterThanOrEqual(0);
          expect(s.total).toBeLessThanOrEqual(Math.max(0, price - paid));
          expect(s.timely).toBe(held <= duration);
        },
      ),
    );
  });
});
