import type { EntityManager } from '@mikro-orm/postgresql';
import { now, prepared, runPrepared } from '@powerbank/db';
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
  await runPrepared(em, IN_APP_NOTICE, {
    id: uuidv7(),
    userId: notice.userId,
    type: notice.type,
    title: notice.title,
    body: notice.body,
    payload: notice.variables,
    dedupeKey: notice.dedupeKey,
  });
}

/**
 * The columns of an in-app notice written by a statement's own select (`insertInto('notification')
 * .columns(IN_APP_NOTICE_COLUMNS).expression(…)`), in the order that select must give them: the
 * achievement unlocks and the handover's pickup notice insert their notices this way.
 */
export const IN_APP_NOTICE_COLUMNS = [
  'id',
  'user_id',
  'type',
  'channel',
  'title',
  'body',
  'payload',
  'status',
  'dedupe_key',
  'sent_at',
  'created_at',
  'updated_at',
] as const;

/**
 * The insert of an in-app notification (sent as it is written), at most once per user and dedupe
 * key: `on conflict do nothing` keeps the caller's transaction alive on a duplicate. The one
 * statement of engagement notices and rental notices (`noticeStatement`).
 */
export const IN_APP_NOTICE = prepared(
  (
    db,
    p: {
      id: string;
      userId: string;
      type: string;
      title: string;
      body: string;
      payload: Record<string, unknown>;
      dedupeKey: string;
    },
  ) =>
    db
      .insertInto('notification')
      .values({
        id: p.id,
        user_id: p.userId,
        type: p.type,
        channel: 'in_app',
        title: p.title,
        body: p.body,
        payload: p.payload,
        status: 'sent',
        dedupe_key: p.dedupeKey,
        sent_at: now(),
        created_at: now(),
        updated_at: now(),
      })
      .onConflict((oc) =>
        oc.columns(['user_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing(),
      ),
);
