import type { EntityManager } from '@mikro-orm/postgresql';
import { configValues } from '@powerbank/db';
import { minorPerUnit, type PointsRatio } from '@powerbank/domain';

/** The payment figures of RULES.md; AppConfig rows override them, these are the documented defaults. */
export const PAYMENT_CONFIG_DEFAULTS = {
  points_per_currency_unit: 10,
  topup_points_rate_pct: 10,
  topup_intent_ttl_minutes: 30,
} as const;

export type PaymentConfigKey = keyof typeof PAYMENT_CONFIG_DEFAULTS;
export type PaymentConfig = Record<PaymentConfigKey, number>;

export const PAYMENT_CONFIG_KEYS = Object.keys(PAYMENT_CONFIG_DEFAULTS) as PaymentConfigKey[];

/** Reads the payment keys in one query; see `paymentConfigOf`. */
export async function readPaymentConfig(em: EntityManager): Promise<PaymentConfig> {
  return paymentConfigOf(await configValues(em, PAYMENT_CONFIG_KEYS));
}

/** The payment settings from `AppConfig` values; a missing or non-numeric value falls back to its default. */
export function paymentConfigOf(values: Map<string, unknown>): PaymentConfig {
  const config: PaymentConfig = { ...PAYMENT_CONFIG_DEFAULTS };
  for (const [key, raw] of values) {
    const value = typeof raw === 'string' ? Number(raw) : raw;
    if (key in config && typeof value === 'number' && Number.isFinite(value) && value > 0) {
      config[key as PaymentConfigKey] = value;
    }
  }
  return config;
}

/** The points↔money ratio for a currency: AppConfig's points per unit over the currency's minor units. */
export function pointsRatio(config: PaymentConfig, currency: string): PointsRatio {
  return { pointsPerUnit: Math.round(config.points_per_currency_unit), minorPerUnit: minorPerUnit(currency) };
}
