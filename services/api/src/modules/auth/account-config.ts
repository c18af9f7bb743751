import type { EntityManager } from '@mikro-orm/postgresql';
import { configValues } from '@powerbank/db';

/**
 * The account figures of RULES.md, read from `AppConfig` (admins change them).
 * The defaults here are RULES.md's, used only when a key is missing, so a fresh
 * database behaves as documented. The OTP send limits and verification-token
 * lifetime are not named in RULES.md; docs/rules.md records the defaults chosen.
 */
export const ACCOUNT_CONFIG_DEFAULTS = {
  signup_bonus_points: 50,
  profile_bonus_points: 20,
  kyc_bonus_points: 30,
  otp_ttl_seconds: 300,
  otp_resend_seconds: 60,
  otp_max_tries: 5,
  otp_lock_minutes: 15,
  otp_sends_per_phone_hour: 5,
  otp_sends_per_ip_hour: 30,
  otp_verification_ttl_seconds: 600,
} as const;

export type AccountConfig = { -readonly [K in keyof typeof ACCOUNT_CONFIG_DEFAULTS]: number };

export async function readAccountConfig(em: EntityManager): Promise<AccountConfig> {
  const keys = Object.keys(ACCOUNT_CONFIG_DEFAULTS);
  const config: AccountConfig = { ...ACCOUNT_CONFIG_DEFAULTS };
  for (const [key, value] of await configValues(em, keys)) {
    if (typeof value === 'number' && Number.isFinite(value)) config[key as keyof AccountConfig] = value;
  }
  return config;
}
