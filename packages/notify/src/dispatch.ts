import type { EntityManager } from '@mikro-orm/postgresql';
import type { NotificationPreferences } from '@powerbank/db';
import { sqlRows } from '@powerbank/db';
import { uuidv7 } from 'uuidv7';
import type { NoticeBook } from './notice-book.ts';
import { outsideChannels } from './preferences.ts';
import { renderNotice } from './render.ts';

interface PendingNotice {
  id: string;
  type: string;
  title: string;
  body: string;
  payload: Record<string, unknown> | null;
  locale: string | null;
  preferences: NotificationPreferences | null;
}

/**
 * Takes up to `limit` notices from the outbox (notifications not yet dispatched), in one
 * transaction: renders each one's in-app text from its template, queues one delivery per push/SMS
 * channel its rule names (skipped where the user's preferences say no) and marks it dispatched.
 * Rows are claimed with `skip locked`, so several workers split the outbox; a notice is dispatched
 * once — its mark commits with its deliveries, and a delivery is unique per notice and channel.
 * Returns how many notices it dispatched.
 */
export async function dispatchNotices(em: EntityManager, book: NoticeBook, limit: number): Promise<number> {
  await book.refresh(em);
  return em.transactional(async (tem) => {
    const notices = await sqlRows<PendingNotice>(
      tem,
      `select n.id, n.type, n.title, n.body, n.payload, p.language as locale, p.notification_preferences as preferences
       from notification n left join user_profile p on p.user_id = n.user_id
       where n.dispatched_at is null
       order by n.created_at limit $1
       for update of n skip locked`,
      [limit],
    );
    if (notices.length === 0) return 0;
    const texts = notices.map((n) =>
      renderNotice(
        book.templates,
        { code: n.type, channel: 'in_app', locale: n.locale, vars: n.payload ?? {} },
        { title: n.title, body: n.body },
      ),
    );
    await sqlRows(
      tem,
      `update notification n set title = v.title, body = v.body, dispatched_at = now(), updated_at = now()
       from unnest($1::uuid[], $2::text[], $3::text[]) as v(id, title, body) where n.id = v.id`,
      [
        notices.map((n) => n.id),
        texts.map((t) => t.title.slice(0, 160)),
        texts.map((t) => t.body.slice(0, 2000)),
      ],
    );
    const deliveries = notices.flatMap((n) =>
      outsideChannels(n.type, book.rule(n.type), n.preferences).map((d) => ({ notice: n.id, ...d })),
    );
    if (deliveries.length > 0) {
      await sqlRows(
        tem,
        `insert into notification_delivery (id, notification_id, channel, status, attempts, next_attempt_at, last_error, created_at, updated_at)
         select v.id, v.notice, v.channel, v.status, 0, now(), v.reason, now(), now()
         from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) as v(id, notice, channel, status, reason)
         on conflict (notification_id, channel) do nothing`,
        [
          deliveries.map(() => uuidv7()),
          deliveries.map((d) => d.notice),
          deliveries.map((d) => d.channel),
          deliveries.map((d) => (d.send ? 'pending' : 'skipped')),
          deliveries.map((d) => (d.send ? null : "the user's notification preferences")),
        ],
      );
    }
    return notices.length;
  });
}
