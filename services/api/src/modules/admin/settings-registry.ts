import { APP_CONFIG_DEFAULTS } from '@powerbank/db';
import { PAYMENT_CONFIG_DEFAULTS } from '@powerbank/ledger';
import { RENTAL_CONFIG_DEFAULTS } from '@powerbank/rentals';
import { z } from 'zod';
import { ACCOUNT_CONFIG_DEFAULTS } from '../auth/account-config.ts';

export const SETTING_GROUPS = [
  'late_fee',
  'points',
  'account',
  'otp',
  'rentals',
  'referral',
  'stations',
] as const;
export type SettingGroup = (typeof SETTING_GROUPS)[number];

export interface Setting {
  key: string;
  group: SettingGroup;
  description: string;
  /** The value the code uses while the key has no row (RULES.md's figure). */
  defaultValue: number | boolean;
  schema: z.ZodType<number | boolean>;
}

const count = () => z.number().int().min(0).max(1_000_000_000);
const positive = () => z.number().int().positive().max(1_000_000_000);
const percent = () => z.number().int().min(0).max(100);

/** Keys whose values need more than "a whole number, zero or more" (what the readers would otherwise reject or misuse). */
const STRICTER: Record<string, z.ZodType<number | boolean>> = {
  kyc_required_for_rental: z.union([z.boolean(), z.literal(0), z.literal(1)]),
  points_per_currency_unit: positive(),
  topup_points_rate_pct: percent(),
  topup_intent_ttl_minutes: positive(),
  rental_min_battery_pct: percent(),
  late_fee_multiplier: z.number().min(1).max(100),
  rental_starts_per_minute: positive(),
  max_open_rentals: positive(),
  otp_ttl_seconds: positive(),
  otp_max_tries: positive(),
  otp_sends_per_phone_hour: positive(),
  otp_sends_per_ip_hour: positive(),
  otp_verification_ttl_seconds: positive(),
  eject_timeout_ms: z.number().int().min(1_000).max(600_000),
  heartbeat_interval_s: positive(),
  heartbeat_missed_limit: positive(),
};

function groupOf(key: string): SettingGroup {
  if (key.startsWith('late_fee_')) return 'late_fee';
  if (key.startsWith('otp_')) return 'otp';
  if (key.startsWith('referral_')) return 'referral';
  if (key.startsWith('heartbeat_')) return 'stations';
  if (key in PAYMENT_CONFIG_DEFAULTS || key.endsWith('_points')) return 'points';
  if (key in ACCOUNT_CONFIG_DEFAULTS) return 'account';
  return 'rentals';
}

/**
 * Every AppConfig key the code reads, with the schema a value must pass to be
 * written: the seeded keys (with their descriptions) and the figures the code
 * defaults itself. A key not here is refused — a typo would otherwise be stored
 * and read by nothing, while the setting meant keeps its old value.
 */
export const SETTINGS: ReadonlyMap<string, Setting> = (() => {
  const described = new Map(APP_CONFIG_DEFAULTS.map((row) => [row.key, row]));
  const defaults: Record<string, number | boolean> = {
    ...RENTAL_CONFIG_DEFAULTS,
    ...ACCOUNT_CONFIG_DEFAULTS,
    ...PAYMENT_CONFIG_DEFAULTS,
    ...Object.fromEntries(APP_CONFIG_DEFAULTS.map((row) => [row.key, row.value])),
  };
  return new Map(
    Object.entries(defaults)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, defaultValue]) => [
        key,
        {
          key,
          group: groupOf(key),
          description: described.get(key)?.description ?? key.replaceAll('_', ' '),
          defaultValue,
          schema: STRICTER[key] ?? (typeof defaultValue === 'boolean' ? z.boolean() : count()),
        },
      ]),
  );
})();
