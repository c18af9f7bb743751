import type { EntityManager } from '@mikro-orm/postgresql';
import { configValues } from '@powerbank/db';
import type { LateFeePolicy } from '@powerbank/domain';

/** The rental figures of RULES.md; AppConfig rows override them, these are the documented defaults. */
export const RENTAL_CONFIG_DEFAULTS = {
  kyc_required_for_rental: 0,
  postpaid_min_balance: 5000,
  rental_starts_per_minute: 3,
  max_open_rentals: 1,
  rental_min_battery_pct: 20,
  cancel_free_minutes: 5,
  max_extensions: 3,
  late_fee_grace_minutes: 2,
  late_fee_multiplier: 2,
  late_fee_hourly_flat: 0,
  late_fee_daily_cap: 10_000,
  lost_after_overdue_hours: 24,
  return_points: 5,
  timely_return_points: 50,
  due_soon_minutes: 15,
  // Read with the rental's lock at settlement, which rewards a pending referral (referral-reward.ts).
  referral_inviter_points: 100,
  referral_invitee_points: 50,
} as const;

export type RentalConfig = Record<keyof typeof RENTAL_CONFIG_DEFAULTS, number>;
export const RENTAL_CONFIG_KEYS = Object.keys(RENTAL_CONFIG_DEFAULTS);

/** One query; see `rentalConfigOf`. */
export async function readRentalConfig(em: EntityManager): Promise<RentalConfig> {
  return rentalConfigOf(await configValues(em, RENTAL_CONFIG_KEYS));
}

/** The settings from `AppConfig` values: booleans read as 1/0; a missing or malformed value falls back to its default. */
export function rentalConfigOf(values: Map<string, unknown>): RentalConfig {
  const config: RentalConfig = { ...RENTAL_CONFIG_DEFAULTS };
  for (const [key, value] of values) {
    const raw = Number(value);
    if (key in config && Number.isFinite(raw) && raw >= 0) config[key as keyof RentalConfig] = raw;
  }
  return config;
}

export function lateFeePolicy(config: RentalConfig): LateFeePolicy {
  return {
    graceMinutes: config.late_fee_grace_minutes,
    multiplier: config.late_fee_multiplier,
    hourlyFlat: config.late_fee_hourly_flat,
    dailyCap: config.late_fee_daily_cap,
  };
}
