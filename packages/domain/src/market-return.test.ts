import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lateReturnFee, settleAgainstHold } from './market-return.ts';

const DAY = 86_400_000;

describe('late return fee', () => {
  const base = { endMs: 10 * DAY, unit: 'day' as const, unitPrice: 4500, graceMinutes: 30 };
  it('nothing within the grace period, then every started unit', () => {
    expect(lateReturnFee({ ...base, returnedMs: base.endMs - 1 })).toEqual({ unitsLate: 0, fee: 0 });
    expect(lateReturnFee({ ...base, returnedMs: base.endMs + 30 * 60_000 })).toEqual({
      unitsLate: 0,
      fee: 0,
    });
    expect(lateReturnFee({ ...base, returnedMs: base.endMs + 31 * 60_000 })).toEqual({
      unitsLate: 1,
      fee: 4500,
    });
    expect(lateReturnFee({ ...base, returnedMs: base.endMs + DAY + 1 })).toEqual({ unitsLate: 2, fee: 9000 });
  });
  it('per hour for hourly products', () => {
    expect(
      lateReturnFee({
        ...base,
        unit: 'hour',
        unitPrice: 300,
        graceMinutes: 10,
        returnedMs: base.endMs + 150 * 60_000,
      }),
    ).toEqual({ unitsLate: 3, fee: 900 });
  });
});

describe('settling charges against the hold', () => {
  it('captures what the hold covers, releases the rest, and the excess is a due', () => {
    expect(settleAgainstHold(10_000, 0)).toEqual({ captured: 0, released: 10_000, due: 0 });
    expect(settleAgainstHold(10_000, 7_000)).toEqual({ captured: 7_000, released: 3_000, due: 0 });
    expect(settleAgainstHold(10_000, 25_000)).toEqual({ captured: 10_000, released: 0, due: 15_000 });
  });
  it('always adds up, never negative', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), (held, charges) => {
        const s = settleAgainstHold(held, charges);
        expect(s.captured + s.released).toBe(held);
        expect(s.captured + s.due).toBe(charges);
        expect(Math.min(s.captured, s.released, s.due)).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
