import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '@powerbank/db';
import { uuidv7 } from 'uuidv7';

/** A notice of the engagement features (referrals, coupons) to one user. */
export interface EngagementNotice {
  userId: string;
  /** The notification template's code: referral_rewarded, coupon_applied. */
  type: 'referral_rewarded' | 'coupon_applied';
  title: string;
  body: string;
  /** The template's variables. */
  variables: Record<string, unknown>;
  /** One notice per event however often it is processed, e.g. `referral:<id>:inviter`. */
  dedupeKey: string;
}

/**
 * The one way referrals and coupons notify: an in-app notification row in the caller's
 * transaction, so a rolled-back reward or coupon leaves no notice and a committed one always has
 * it. Delivery beyond in-app (push, SMS by the notification rules) reads these rows; this is the
 * single place to point at another delivery path. `on conflict do nothing` keeps the caller's
 * transaction alive when the event is processed twice.
 */
export async function notifyEngagement(em: EntityManager, notice: EngagementNotice): Promise<void> {
  await sqlRows(
    em,
    `insert into notification (id, user_id, type, channel, title, body, payload, status, dedupe_key, sent_at, created_at, updated_at)
     values ($1, $2, $3, 'in_app', $4, $5, $6, 'sent', $7, now(), now(), now())
     on conflict (user_id, dedupe_key) where dedupe_key is not null do nothing`,
    [
      uuidv7(),
      notice.userId,
      notice.type,
      notice.title,
      notice.body,
      JSON.stringify(notice.variables),
      notice.dedupeKey,
    ],
  );
}
