export interface BackoffPolicy {
  /** Delay after the first failed attempt; doubled after each further one. */
  baseMs: number;
  maxMs: number;
}

/**
 * How long to wait before attempt `attempts + 1` after `attempts` failed ones: exponential, capped,
 * with ±20 % jitter so deliveries that failed together (a provider outage) do not retry together.
 */
export function retryDelayMs(attempts: number, policy: BackoffPolicy, random: () => number = Math.random) {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}
