import type { EntityManager } from '@mikro-orm/postgresql';
import { configValues, LOYALTY_TIERS, sqlRows } from '@powerbank/db';

export type LoyaltyTier = (typeof LOYALTY_TIERS)[number];

/**
 * The lifetime points each tier above bronze starts at; AppConfig rows (these keys) override them.
 * Lifetime points only grow (refunds and adjustments are not "earned"), so a tier is never lost.
 */
export const LOYALTY_CONFIG_DEFAULTS = {
  loyalty_silver_min_points: 1_000,
  loyalty_gold_min_points: 5_000,
  loyalty_platinum_min_points: 20_000,
} as const;

export const LOYALTY_CONFIG_KEYS = Object.keys(
  LOYALTY_CONFIG_DEFAULTS,
) as (keyof typeof LOYALTY_CONFIG_DEFAULTS)[];

export interface TierThreshold {
  tier: LoyaltyTier;
  minPoints: number;
}

/** The tiers in order, bronze from 0, from `AppConfig` values; a missing or bad value falls back to its default. */
export function loyaltyTiersOf(values: Map<string, unknown>): TierThreshold[] {
  const [, ...above] = LOYALTY_TIERS;
  const tiers: TierThreshold[] = [{ tier: 'bronze', minPoints: 0 }];
  for (const tier of above) {
    const key = `loyalty_${tier}_min_points` as keyof typeof LOYALTY_CONFIG_DEFAULTS;
    const raw = values.get(key);
    const value = typeof raw === 'string' ? Number(raw) : raw;
    const valid = typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
    tiers.push({ tier, minPoints: valid ? value : LOYALTY_CONFIG_DEFAULTS[key] });
  }
  return tiers;
}

/** The tier thresholds from `AppConfig`, in one query. */
export async function readLoyaltyTiers(em: EntityManager): Promise<TierThreshold[]> {
  return loyaltyTiersOf(await configValues(em, LOYALTY_CONFIG_KEYS));
}

export interface LoyaltyStanding {
  tier: LoyaltyTier;
  /** The next tier up and the lifetime points still missing; null at the top. */
  next: { tier: LoyaltyTier; minPoints: number; pointsNeeded: number } | null;
}

/**
 * The highest tier whose threshold `lifetimePoints` reaches. Thresholds an admin set out of
 * order are taken as they are: a tier counts once its own threshold is reached.
 */
export function loyaltyStanding(lifetimePoints: number, tiers: readonly TierThreshold[]): LoyaltyStanding {
  let reached = 0;
  tiers.forEach((t, index) => {
    if (lifetimePoints >= t.minPoints) reached = index;
  });
  const next = tiers[reached + 1];
  return {
    tier: tiers[reached]?.tier ?? 'bronze',
    next: next
      ? {
          tier: next.tier,
          minPoints: next.minPoints,
          pointsNeeded: Math.max(0, next.minPoints - lifetimePoints),
        }
      : null,
  };
}

/**
 * Job: writes each account's tier from its lifetime points into `user_points.tier` (the seed's
 * loyalty account column), for reports and admins reading the table. The api computes the tier on
 * each read, so a stale column never shows; a threshold changed by an admin reaches the column at
 * the next run. One statement; only rows whose tier changes are written. Returns how many.
 * `given`: the thresholds, else read from `AppConfig`.
 */
export async function refreshLoyaltyTiers(
  em: EntityManager,
  given?: readonly TierThreshold[],
): Promise<number> {
  const tiers = given ?? (await readLoyaltyTiers(em));
  // Later tiers win: the `case` tests them from the top down.
  const ordered = [...tiers].reverse();
  const cases = ordered
    .map((_, i) => `when lifetime_earned >= $${2 * i + 1}::int then $${2 * i + 2}`)
    .join(' ');
  const rows = await sqlRows<{ n: string }>(
    em,
    `with changed as (
       update user_points u set tier = t.tier, updated_at = now()
         from (select id, (case ${cases} else 'bronze' end) as tier from user_points) t
        where u.id = t.id and u.tier <> t.tier
        returning 1)
     select count(*) as n from changed`,
    ordered.flatMap((t) => [t.minPoints, t.tier]),
  );
  return Number(rows[0]?.n ?? 0);
}
