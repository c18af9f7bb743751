import { describe, expect, it } from 'vitest';
import { loyaltyStanding, loyaltyTiersOf } from './loyalty.ts';

describe('loyalty tiers from lifetime points', () => {
  const defaults = loyaltyTiersOf(new Map());

  it('bronze from 0, then silver, gold, platinum at the default thresholds', () => {
    expect(defaults.map((t) => [t.tier, t.minPoints])).toEqual([
      ['bronze', 0],
      ['silver', 1_000],
      ['gold', 5_000],
      ['platinum', 20_000],
    ]);
    expect(loyaltyStanding(0, defaults)).toEqual({
      tier: 'bronze',
      next: { tier: 'silver', minPoints: 1_000, pointsNeeded: 1_000 },
    });
    expect(loyaltyStanding(999, defaults).tier).toBe('bronze');
    expect(loyaltyStanding(1_000, defaults)).toEqual({
      tier: 'silver',
      next: { tier: 'gold', minPoints: 5_000, pointsNeeded: 4_000 },
    });
    expect(loyaltyStanding(25_000, defaults)).toEqual({ tier: 'platinum', next: null });
  });

  it('AppConfig overrides a threshold; a missing, negative or non-integer value keeps the default', () => {
    const tiers = loyaltyTiersOf(
      new Map<string, unknown>([
        ['loyalty_silver_min_points', 200],
        ['loyalty_gold_min_points', -5],
        ['loyalty_platinum_min_points', 'lots'],
      ]),
    );
    expect(tiers.map((t) => t.minPoints)).toEqual([0, 200, 5_000, 20_000]);
    expect(loyaltyStanding(250, tiers).tier).toBe('silver');
  });

  it('thresholds out of order: a tier counts once its own threshold is reached', () => {
    const tiers = loyaltyTiersOf(
      new Map<string, unknown>([
        ['loyalty_gold_min_points', 30_000],
        ['loyalty_platinum_min_points', 20_000],
      ]),
    );
    expect(loyaltyStanding(21_000, tiers).tier).toBe('platinum');
    expect(loyaltyStanding(10_000, tiers).tier).toBe('silver');
  });
});
