import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import { AppConfig } from '../entities/index.ts';
import { seedMissing } from './support/seed-missing.ts';

interface ConfigDefault {
  key: string;
  value: number | boolean;
  description: string;
}

/**
 * The business defaults of RULES.md, one row per figure. Code reads these
 * keys; admins change the values. Money values are minor units of the
 * currency (100 = 1 unit), durations carry their unit in the key.
 */
export const APP_CONFIG_DEFAULTS: readonly ConfigDefault[] = [
  // Points and payment
  {
    key: 'points_per_currency_unit',
    value: 10,
    description: 'Points worth 1 currency unit (100 minor units): 10 points = 1 unit.',
  },
  {
    key: 'topup_points_rate_pct',
    value: 10,
    description: 'Points earned on a top-up, in % of the amount in currency units.',
  },
  {
    key: 'topup_intent_ttl_minutes',
    value: 30,
    description: 'A top-up payment intent expires after this many minutes.',
  },
  // Accounts
  { key: 'signup_bonus_points', value: 50, description: 'Points given once at registration.' },
  { key: 'profile_bonus_points', value: 20, description: 'Points given once when the profile is completed.' },
  { key: 'kyc_bonus_points', value: 30, description: 'Points given once when KYC is approved.' },
  {
    key: 'kyc_required_for_rental',
    value: false,
    description: 'Whether an approved KYC is required to start a rental.',
  },
  { key: 'otp_ttl_seconds', value: 300, description: 'An OTP code is valid this long.' },
  {
    key: 'otp_resend_seconds',
    value: 60,
    description: 'Minimum wait before another OTP is sent to the same phone.',
  },
  { key: 'otp_max_tries', value: 5, description: 'Wrong codes allowed before the phone is locked.' },
  {
    key: 'otp_lock_minutes',
    value: 15,
    description: 'How long a phone stays locked after too many wrong codes.',
  },
  // Rentals
  {
    key: 'rental_min_battery_pct',
    value: 20,
    description: 'Only power banks charged at least this much are dispensed.',
  },
  {
    key: 'postpaid_min_balance',
    value: 5000,
    description: 'Minimum wallet balance (minor units) to start a postpaid rental.',
  },
  { key: 'rental_starts_per_minute', value: 3, description: 'Rental starts allowed per user per minute.' },
  {
    key: 'max_open_rentals',
    value: 1,
    description: 'Rentals a user may have pending, active or overdue at once.',
  },
  { key: 'eject_timeout_ms', value: 15000, description: 'How long to wait for the station eject-result.' },
  {
    key: 'cancel_free_minutes',
    value: 5,
    description: 'A rental cancelled within this many minutes costs nothing.',
  },
  { key: 'max_extensions', value: 3, description: 'Extensions allowed per rental.' },
  {
    key: 'late_fee_grace_minutes',
    value: 2,
    description: 'Minutes after the due time before late fees start.',
  },
  {
    key: 'late_fee_multiplier',
    value: 2,
    description: 'Late fee = minutes overdue x package per-minute rate x this.',
  },
  { key: 'late_fee_daily_cap', value: 10000, description: 'Maximum late fee per started day, minor units.' },
  {
    key: 'lost_after_overdue_hours',
    value: 24,
    description: 'Overdue this long: the rental closes as lost.',
  },
  { key: 'return_points', value: 5, description: 'Points for every completed rental.' },
  { key: 'timely_return_points', value: 50, description: 'Extra points for returning by the due time.' },
  // Referrals
  {
    key: 'referral_inviter_points',
    value: 100,
    description: "Points for the inviter on the invitee's first rental.",
  },
  { key: 'referral_invitee_points', value: 50, description: 'Points for the invitee on their first rental.' },
  {
    key: 'referral_claim_days',
    value: 30,
    description: 'Days after signup during which a referral code can be claimed.',
  },
  // Loyalty tiers (lifetime points; bronze below silver)
  {
    key: 'loyalty_silver_min_points',
    value: 1000,
    description: 'Lifetime points from which a user is silver.',
  },
  { key: 'loyalty_gold_min_points', value: 5000, description: 'Lifetime points from which a user is gold.' },
  {
    key: 'loyalty_platinum_min_points',
    value: 20000,
    description: 'Lifetime points from which a user is platinum.',
  },
  // Stations
  { key: 'heartbeat_interval_s', value: 30, description: 'Seconds between station heartbeats.' },
  {
    key: 'heartbeat_missed_limit',
    value: 3,
    description: 'Missed heartbeats before a station counts as offline.',
  },
];

/** Inserts missing config keys; values already present (maybe changed by an admin) are kept. */
export class AppConfigSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    await seedMissing(
      em,
      AppConfig,
      APP_CONFIG_DEFAULTS.map((row) => ({ key: row.key, data: row })),
      (existing) => existing.key,
    );
    await em.flush();
  }
}
