import { DomainError } from './errors.ts';
import { assertMinorUnits } from './money.ts';

/**
 * How points relate to money: `pointsPerUnit` points are worth one major unit
 * of the currency, which is `minorPerUnit` minor units (AppConfig
 * `points_per_currency_unit` = 10 and USD's 100: one point = 10 cents).
 */
export interface PointsRatio {
  pointsPerUnit: number;
  minorPerUnit: number;
}

export function assertRatio(ratio: PointsRatio): PointsRatio {
  if (
    !Number.isSafeInteger(ratio.pointsPerUnit) ||
    !Number.isSafeInteger(ratio.minorPerUnit) ||
    ratio.pointsPerUnit <= 0 ||
    ratio.minorPerUnit <= 0
  ) {
    throw new DomainError('INTERNAL', 'points ratio must be two positive integers', { ...ratio });
  }
  return ratio;
}

export function assertPoints(points: number, what = 'points'): number {
  if (!Number.isSafeInteger(points) || points < 0) {
    throw new DomainError('VALIDATION_FAILED', `${what} must be a whole non-negative number`, {
      [what]: points,
    });
  }
  return points;
}

/** Money value of whole points, rounded down: points never buy more than they are worth. */
export function pointsToMinor(points: number, ratio: PointsRatio): number {
  assertPoints(points);
  return Math.floor((points * ratio.minorPerUnit) / ratio.pointsPerUnit);
}

/** The most whole points whose value does not exceed `amount` (the automatic split's points part). */
export function maxPointsWithin(amount: number, ratio: PointsRatio): number {
  assertMinorUnits(amount);
  return Math.floor((amount * ratio.pointsPerUnit) / ratio.minorPerUnit);
}

/** The fewest whole points worth at least `amount` (paying with points alone rounds up, never down). */
export function pointsToCover(amount: number, ratio: PointsRatio): number {
  assertMinorUnits(amount);
  return Math.ceil((amount * ratio.pointsPerUnit) / ratio.minorPerUnit);
}

/**
 * Points a top-up earns: `ratePct` % of the amount in currency units, as points
 * (RULES.md: 10% by default — a 100.00 top-up earns 10 points), rounded down.
 */
export function topupRewardPoints(amount: number, ratePct: number, ratio: PointsRatio): number {
  assertMinorUnits(amount);
  if (!Number.isFinite(ratePct) || ratePct <= 0 || amount <= 0) return 0;
  // Integer arithmetic: amount × pct / (100 × minorPerUnit), floored.
  return Math.floor((amount * Math.round(ratePct * 100)) / (100 * 100 * ratio.minorPerUnit));
}
