import type { EntityManager } from '@mikro-orm/postgresql';
import { configValues } from '@powerbank/db';
import type { CancellationPolicy } from '@powerbank/domain';

/** The marketplace's figures; AppConfig rows of these keys override them (docs/marketplace.md). */
export const MARKET_CONFIG_DEFAULTS = {
  /** An unpaid reservation expires after this and frees its items. */
  market_reservation_minutes: 15,
  /** Tax on the discounted rent, basis points (1300 = 13%). */
  market_tax_rate_bp: 0,
  market_cancel_full_refund_hours: 48,
  market_cancel_partial_refund_hours: 24,
  market_cancel_partial_refund_percent: 50,
  /** The platform's commission on a completed order's rent after discounts, basis points (1000 = 10%). */
  market_commission_bp: 1000,
  /** Attempts to charge a subscription's next period before it lapses. */
  market_subscription_renewal_attempts: 3,
  /** Wait after a failed renewal before the next attempt. */
  market_subscription_retry_minutes: 360,
  /** A return this long after the period's end is not late yet. */
  market_late_grace_minutes: 30,
  /** A handover QR code is valid this long after it is issued. */
  market_qr_validity_minutes: 10,
} as const;

export type MarketConfig = Record<keyof typeof MARKET_CONFIG_DEFAULTS, number>;
/** The AppConfig keys of the marketplace's figures (for a statement that reads them with `configObject`). */
export const MARKET_CONFIG_KEYS: readonly string[] = Object.keys(MARKET_CONFIG_DEFAULTS);

/** The figures from AppConfig values by key; a missing or malformed value falls back to its default. */
export function marketConfigOf(values: Map<string, unknown>): MarketConfig {
  const config: MarketConfig = { ...MARKET_CONFIG_DEFAULTS };
  for (const [key, value] of values) {
    const raw = Number(value);
    if (key in config && Number.isFinite(raw) && raw >= 0) config[key as keyof MarketConfig] = raw;
  }
  return config;
}

/** One query (the checkout reads them inside its one read instead: `configObject`). */
export async function readMarketConfig(em: EntityManager): Promise<MarketConfig> {
  return marketConfigOf(await configValues(em, MARKET_CONFIG_KEYS));
}

export const cancellationPolicy = (config: MarketConfig): CancellationPolicy => ({
  fullRefundHours: config.market_cancel_full_refund_hours,
  partialRefundHours: config.market_cancel_partial_refund_hours,
  partialRefundPercent: config.market_cancel_partial_refund_percent,
});
