import type { EntityManager } from '@mikro-orm/postgresql';
import { now, prepared, runPrepared, sql } from '@powerbank/db';
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

/** What an in-app notice binds. */
export interface InAppNoticeParams {
  id: string;
  userId: string;
  type: string;
  title: string;
  body: string;
  payload: Record<string, unknown>;
  dedupeKey: string;
}

/**
 * An in-app notice's values as a select list in `IN_APP_NOTICE_COLUMNS`' order, bound as
 * `IN_APP_NOTICE` binds them, for a statement that inserts the notice from one of its own CTEs
 * (`.expression(qc.selectFrom('r').select(inAppNoticeValues(p)))`): written only when that CTE
 * has a row. Conflicts as `IN_APP_NOTICE` (`.onConflict(…doNothing())`).
 */
export const inAppNoticeValues = (p: InAppNoticeParams) => [
  sql<string>`${p.id}::uuid`.as('id'),
  sql<string>`${p.userId}::uuid`.as('user_id'),
  sql<string>`${p.type}`.as('type'),
  sql<string>`'in_app'`.as('channel'),
  sql<string>`${p.title}`.as('title'),
  sql<string>`${p.body}`.as('body'),
  sql<unknown>`${p.payload}::jsonb`.as('payload'),
  sql<string>`'sent'`.as('status'),
  sql<string>`${p.dedupeKey}`.as('dedupe_key'),
  now().as('sent_at'),
  now().as('created_at'),
  now().as('updated_at'),
];

/**
 * The insert of an in-app notification (sent as it is written), at most once per user and dedupe
 * key: `on conflict do nothing` keeps the caller's transaction alive on a duplicate. The one
 * statement of engagement notices and rental notices (`noticeStatement`).
 */
export const IN_APP_NOTICE = prepared((db, p: InAppNoticeParams) =>
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
