/** A subscription's renewal settings (AppConfig, docs/marketplace.md). */
export interface RenewalPolicy {
  /** Attempts to charge a period before the subscription lapses. */
  attempts: number;
  /** Wait between a failed attempt and the next. */
  retryMinutes: number;
}

export type RenewalFailure =
  | { kind: 'retry'; attempts: number; nextAttemptAt: Date }
  | { kind: 'lapse'; attempts: number };

/**
 * After a renewal attempt failed (the balances could not pay the period): try again after
 * `retryMinutes`, or lapse once `attempts` attempts have failed. `failedSoFar` counts the
 * earlier failures of this period.
 */
export function afterFailedRenewal(failedSoFar: number, policy: RenewalPolicy, now: Date): RenewalFailure {
  const attempts = failedSoFar + 1;
  if (attempts >= Math.max(1, policy.attempts)) return { kind: 'lapse', attempts };
  return { kind: 'retry', attempts, nextAttemptAt: new Date(now.getTime() + policy.retryMinutes * 60_000) };
}

const DAY = 86_400_000;

/** The period after one that ends at `endsAt`: it starts there and lasts the plan's days. */
export function nextPeriod(endsAt: Date, durationDays: number): { startsAt: Date; endsAt: Date } {
  return { startsAt: endsAt, endsAt: new Date(endsAt.getTime() + durationDays * DAY) };
}

/**
 * Whether a plan's `included_products` (product ids or category slugs) covers a product: its id,
 * or the slug of its category or any ancestor (a plan on "cameras" covers drones under it).
 */
export function planCovers(included: readonly string[], productId: string, categorySlugs: readonly string[]) {
  return included.includes(productId) || categorySlugs.some((slug) => included.includes(slug));
}
