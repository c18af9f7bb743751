import type { EntityManager } from '@mikro-orm/postgresql';
import { now, prepared, recordset, runPrepared, sql } from '@powerbank/db';
import { uuidv7 } from 'uuidv7';
import type { NoticeBook } from './notice-book.ts';
import { outsideChannels } from './preferences.ts';
import { renderNotice } from './render.ts';

const PENDING_NOTICES = prepared((db, p: { limit: number }) =>
  db
    .selectFrom('notification as n')
    .leftJoin('user_profile as p', 'p.user_id', 'n.user_id')
    .select([
      'n.id',
      'n.type',
      'n.title',
      'n.body',
      'n.payload',
      'p.language as locale',
      'p.notification_preferences as preferences',
    ])
    .where('n.dispatched_at', 'is', null)
    .orderBy('n.created_at')
    .limit(p.limit)
    .forUpdate('n')
    .skipLocked(),
);
const MARK_DISPATCHED = prepared((db, p: { rows: string }) =>
  db
    .updateTable('notification as n')
    .from(recordset(p.rows, 'v', { id: 'uuid', title: 'text', body: 'text' }))
    .set((eb) => ({
      title: eb.ref('v.title'),
      body: eb.ref('v.body'),
      dispatched_at: now(),
      updated_at: now(),
    }))
    .whereRef('n.id', '=', 'v.id'),
);
const QUEUE_DELIVERIES = prepared((db, p: { rows: string }) =>
  db
    .insertInto('notification_delivery')
    .columns([
      'id',
      'notification_id',
      'channel',
      'status',
      'attempts',
      'next_attempt_at',
      'last_error',
      'created_at',
      'updated_at',
    ])
    .expression((eb) =>
      eb
        .selectFrom(
          recordset(p.rows, 'v', {
            id: 'uuid',
            notice: 'uuid',
            channel: 'text',
            status: 'text',
            reason: 'text?',
          }),
        )
        .select([
          'v.id',
          'v.notice',
          'v.channel',
          'v.status',
          sql.lit(0).as('attempts'),
          now().as('next_attempt_at'),
          'v.reason',
          now().as('created_at'),
          now().as('updated_at'),
        ]),
    )
    .onConflict((oc) => oc.columns(['notification_id', 'channel']).doNothing()),
);

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
    const notices = await runPrepared(tem, PENDING_NOTICES, { limit });
    if (notices.length === 0) return 0;
    const texts = notices.map((n) =>
      renderNotice(
        book.templates,
        { code: n.type, channel: 'in_app', locale: n.locale, vars: n.payload ?? {} },
        { title: n.title, body: n.body },
      ),
    );
    const dispatched = notices.map((n, i) => ({
      id: n.id,
      title: texts[i]!.title.slice(0, 160),
      body: texts[i]!.body.slice(0, 2000),
    }));
    await runPrepared(tem, MARK_DISPATCHED, { rows: JSON.stringify(dispatched) });
    const deliveries = notices.flatMap((n) =>
      outsideChannels(n.type, book.rule(n.type), n.preferences).map((d) => ({ notice: n.id, ...d })),
    );
    if (deliveries.length > 0) {
      const rows = deliveries.map((d) => ({
        id: uuidv7(),
        notice: d.notice,
        channel: d.channel,
        status: d.send ? 'pending' : 'skipped',
        reason: d.send ? null : "the user's notification preferences",
      }));
      await runPrepared(tem, QUEUE_DELIVERIES, { rows: JSON.stringify(rows) });
    }
    return notices.length;
  });
}
