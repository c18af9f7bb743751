import type { EntityManager } from '@mikro-orm/postgresql';
import { now, prepared, recordset, runPrepared, sql } from '@powerbank/db';
import { uuidv7 } from 'uuidv7';
import { type Claimed, type DeliveryOptions, leaseOf, type NoticeRow, pushTokensOf } from './deliver.ts';
import type { NoticeBook } from './notice-book.ts';
import { outsideChannels } from './preferences.ts';
import { renderNotice } from './render.ts';

/** Undispatched notices with what sending them needs: the user's phone, language, preferences, tokens. */
const PENDING_NOTICES = prepared((db, p: { limit: number }) =>
  db
    .selectFrom('notification as n')
    .innerJoin('users as u', 'u.id', 'n.user_id')
    .leftJoin('user_profile as p', 'p.user_id', 'n.user_id')
    .select((eb) => [
      'n.id',
      'n.user_id',
      'n.type',
      'n.title',
      'n.body',
      'n.payload',
      'u.phone',
      'p.language as locale',
      'p.notification_preferences as preferences',
      pushTokensOf(eb),
    ])
    .where('n.dispatched_at', 'is', null)
    .orderBy('n.created_at')
    .limit(p.limit)
    .forUpdate('n')
    .skipLocked(),
);
/**
 * The notices marked dispatched with their rendered in-app text, and their deliveries queued — or,
 * for a sender that sends them at once, claimed (`sending`, attempt 1, a lease) — in one statement.
 * A delivery is unique per notice and channel; the ones inserted are returned.
 */
const DISPATCH = prepared((db, p: { notices: string; deliveries: string; leaseMs: number }) =>
  db
    .with('marked', (q) =>
      q
        .updateTable('notification as n')
        .from(recordset(p.notices, 'v', { id: 'uuid', title: 'text', body: 'text' }))
        .set((eb) => ({
          title: eb.ref('v.title'),
          body: eb.ref('v.body'),
          dispatched_at: now(),
          updated_at: now(),
        }))
        .whereRef('n.id', '=', 'v.id'),
    )
    .insertInto('notification_delivery')
    .columns([
      'id',
      'notification_id',
      'channel',
      'status',
      'attempts',
      'next_attempt_at',
      'lease_until',
      'last_error',
      'created_at',
      'updated_at',
    ])
    .expression((eb) =>
      eb
        .selectFrom(
          recordset(p.deliveries, 'v', {
            id: 'uuid',
            notice: 'uuid',
            channel: 'text',
            status: 'text',
            attempts: 'int',
            reason: 'text?',
          }),
        )
        .select((eb) => [
          'v.id',
          'v.notice',
          'v.channel',
          'v.status',
          'v.attempts',
          now().as('next_attempt_at'),
          eb
            .case()
            .when('v.status', '=', 'sending')
            .then(sql<Date>`now() + ${p.leaseMs} * interval '1 millisecond'`)
            .end()
            .as('lease_until'),
          'v.reason',
          now().as('created_at'),
          now().as('updated_at'),
        ]),
    )
    .onConflict((oc) => oc.columns(['notification_id', 'channel']).doNothing())
    .returning(['id', 'notification_id', 'channel', 'status', 'attempts']),
);

/** What a dispatch took: how many notices, the deliveries it claimed for sending, and their notices. */
export interface Dispatched {
  count: number;
  claimed: Claimed[];
  notices: NoticeRow[];
}

/**
 * Takes up to `limit` notices from the outbox (notifications not yet dispatched), in one
 * transaction: renders each one's in-app text from its template, queues one delivery per push/SMS
 * channel its rule names (skipped where the user's preferences say no) and marks it dispatched.
 * Rows are claimed with `skip locked`, so several workers split the outbox; a notice is dispatched
 * once — its mark commits with its deliveries, and a delivery is unique per notice and channel.
 * With `leaseMs`, the deliveries to send are claimed in the same statement (as `deliverDue`'s
 * claim would: `sending`, the attempt counted, a lease), for the caller to send at once.
 */
async function dispatch(
  em: EntityManager,
  book: NoticeBook,
  limit: number,
  leaseMs: number | null,
): Promise<Dispatched> {
  await book.refresh(em);
  return em.transactional(async (tem) => {
    const pending = await runPrepared(tem, PENDING_NOTICES, { limit });
    if (pending.length === 0) return { count: 0, claimed: [], notices: [] };
    const notices = pending.map((n) => {
      const text = renderNotice(
        book.templates,
        { code: n.type, channel: 'in_app', locale: n.locale, vars: n.payload ?? {} },
        { title: n.title, body: n.body },
      );
      return { ...n, title: text.title.slice(0, 160), body: text.body.slice(0, 2000) };
    });
    const deliveries = notices.flatMap((n) =>
      outsideChannels(n.type, book.rule(n.type), n.preferences).map((d) => ({
        id: uuidv7(),
        notice: n.id,
        channel: d.channel,
        status: !d.send ? 'skipped' : leaseMs === null ? 'pending' : 'sending',
        attempts: d.send && leaseMs !== null ? 1 : 0,
        reason: d.send ? null : "the user's notification preferences",
      })),
    );
    const queued = await runPrepared(tem, DISPATCH, {
      notices: JSON.stringify(notices.map((n) => ({ id: n.id, title: n.title, body: n.body }))),
      deliveries: JSON.stringify(deliveries),
      leaseMs: leaseMs ?? 0,
    });
    const claimed = queued
      .filter((d) => d.status === 'sending')
      .map((d) => ({
        id: d.id,
        notification_id: d.notification_id,
        channel: d.channel as Claimed['channel'],
        attempts: Number(d.attempts),
      }));
    return { count: notices.length, claimed, notices };
  });
}

/** Dispatches up to `limit` notices, their deliveries queued (`pending`) for `deliverDue`; returns how many. */
export async function dispatchNotices(em: EntityManager, book: NoticeBook, limit: number): Promise<number> {
  return (await dispatch(em, book, limit, null)).count;
}

/**
 * Dispatches up to `options.limit` notices with their deliveries claimed for the caller, who sends
 * them with `sendClaimed` right away: no wait for a claim round, two statements fewer per batch.
 * The claim commits with the dispatch, before any provider is called — as `deliverDue`'s does.
 */
export function dispatchAndClaim(
  em: EntityManager,
  book: NoticeBook,
  options: DeliveryOptions,
): Promise<Dispatched> {
  return dispatch(em, book, options.limit, leaseOf(options));
}
