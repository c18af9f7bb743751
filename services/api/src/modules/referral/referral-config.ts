import type { EntityManager } from '@mikro-orm/postgresql';
import { configValues } from '@powerbank/db';
import { RENTAL_CONFIG_DEFAULTS } from '@powerbank/rentals';

/** RULES.md's referral figures; AppConfig rows override them. The points are paid at settlement. */
export const REFERRAL_CONFIG_DEFAULTS = {
  referral_inviter_points: RENTAL_CONFIG_DEFAULTS.referral_inviter_points,
  referral_invitee_points: RENTAL_CONFIG_DEFAULTS.referral_invitee_points,
  referral_claim_days: 30,
} as const;

export type ReferralConfig = { -readonly [K in keyof typeof REFERRAL_CONFIG_DEFAULTS]: number };

export async function readReferralConfig(em: EntityManager): Promise<ReferralConfig> {
  const config: ReferralConfig = { ...REFERRAL_CONFIG_DEFAULTS };
  for (const [key, value] of await configValues(em, Object.keys(REFERRAL_CONFIG_DEFAULTS))) {
    const n = Number(value);
    if (Number.isInteger(n) && n >= 0) config[key as keyof ReferralConfig] = n;
  }
  return config;
}
