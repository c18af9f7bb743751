import { PRICING_UNIT_MS, type PricingUnit } from './market-pricing.ts';

/**
 * A late return's fee: nothing within `graceMinutes` after the period's end; beyond it, every
 * started pricing unit late (counted from the end, grace included) × the order's price per unit
 * (every line's unit price together).
 */
export function lateReturnFee(input: {
  endMs: number;
  returnedMs: number;
  unit: PricingUnit;
  unitPrice: number;
  graceMinutes: number;
}): { unitsLate: number; fee: number } {
  const lateMs = input.returnedMs - input.endMs;
  if (lateMs <= input.graceMinutes * 60_000) return { unitsLate: 0, fee: 0 };
  const unitsLate = Math.ceil(lateMs / PRICING_UNIT_MS[input.unit]);
  return { unitsLate, fee: unitsLate * input.unitPrice };
}

/**
 * How a return's charges meet the deposit hold: what the hold covers is captured, the rest of the
 * hold released, and what it does not cover becomes a due on the customer (never a negative
 * balance: the hold is money set aside, so capturing it always succeeds).
 */
export function settleAgainstHold(
  held: number,
  charges: number,
): {
  captured: number;
  released: number;
  due: number;
} {
  const captured = Math.min(Math.max(charges, 0), Math.max(held, 0));
  return { captured, released: Math.max(held, 0) - captured, due: Math.max(charges, 0) - captured };
}
