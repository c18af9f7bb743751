import type { EntityManager } from '@mikro-orm/postgresql';
import { type DB, type ExpressionBuilder, now, prepared, recordset, runPrepared, sql } from '@powerbank/db';
import { uuidv7 } from 'uuidv7';
import { type BackoffPolicy, retryDelayMs } from './backoff.ts';
import type { NoticeBook } from './notice-book.ts';
import { asProviderError, ProviderError, type PushPort, type SmsPort } from './providers/ports.ts';
import { renderNotice } from './render.ts';

export interface DeliveryOptions {
  sms: SmsPort;
  push: PushPort;
  /** Deliveries claimed per batch. */
  limit: number;
  /** A provider that has not answered after this long counts as failed (retriable). */
  sendTimeoutMs: number;
  /** Attempts per delivery before it is given up as failed. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** How long a claim is held before it counts as a stopped worker's; default 2 × send timeout + 10 s. */
  leaseMs?: number;
}

/** A delivery this worker holds (status `sending`, a lease): its attempt is this worker's to make. */
export interface Claimed {
  id: string;
  notification_id: string;
  channel: 'push' | 'sms';
  attempts: number;
}

/** A claimed delivery's notice, with the user's phone, language and push tokens. */
export type NoticeRow = typeof NOTICES_OF.row;

/** How long a claim is held before it counts as a stopped worker's. */
export const leaseOf = (options: DeliveryOptions) => options.leaseMs ?? options.sendTimeoutMs * 2 + 10_000;

/** One provider call, as sms_fcm_log records it. */
interface Attempt {
  recipient: string;
  content: string;
  provider: string;
  messageId: string | null;
  error: string | null;
}

interface Outcome {
  claimed: Claimed;
  userId: string | null;
  templateCode: string | null;
  status: 'sent' | 'pending' | 'failed';
  error: string | null;
  attempts: Attempt[];
  /** Push tokens FCM no longer knows: dropped from user_device. */
  unregistered: string[];
}

/**
 * A stopped worker's claims: a delivery still `sending` after its lease was handed to a provider
 * that may or may not have delivered it. It is marked `unknown` and never sent again — a user gets
 * a notice at most once — and the attempt is recorded in sms_fcm_log.
 */
export async function releaseStaleClaims(em: EntityManager): Promise<number> {
  const rows = await runPrepared(em, RELEASE_STALE_CLAIMS, {
    error: 'the worker stopped while sending; not sent again (it may have arrived)',
  });
  return rows.length;
}

/**
 * Sends up to `limit` due deliveries. The claim is one statement (`skip locked`, status `sending`,
 * attempt counted, a lease), committed before any provider is called, so a second worker never
 * takes the same delivery; the outcome of every provider call is written afterwards in one
 * transaction: an sms_fcm_log row per call, the delivery sent, failed, or pending again after a
 * backoff when the provider timed out or answered 5xx/429. Returns how many it claimed.
 */
export async function deliverDue(
  em: EntityManager,
  book: NoticeBook,
  options: DeliveryOptions,
): Promise<number> {
  await book.refresh(em);
  const claimed: Claimed[] = (
    await runPrepared(em, CLAIM_DUE, { limit: options.limit, leaseMs: leaseOf(options) })
  ).map((c) => ({ ...c, attempts: Number(c.attempts) }));
  if (claimed.length === 0) return 0;
  const notices = await runPrepared(em, NOTICES_OF, {
    ids: [...new Set(claimed.map((c) => c.notification_id))],
  });
  await sendClaimed(em, book, claimed, notices, options);
  return claimed.length;
}

/**
 * Makes the attempt of each delivery claimed (committed as `sending` before this is called) and
 * records the outcomes: as they come, at most RECORD_EVERY_MS apart — a provider holding one call
 * (up to the send timeout) neither delays the others' records nor, if the worker dies meanwhile,
 * leaves them to be taken for unknown.
 */
export async function sendClaimed(
  em: EntityManager,
  book: NoticeBook,
  claimed: readonly Claimed[],
  notices: readonly NoticeRow[],
  options: DeliveryOptions,
): Promise<void> {
  const byId = new Map(notices.map((n) => [n.id, n]));
  const settled: Outcome[] = [];
  const all = Promise.all(
    claimed.map((c) =>
      deliverOne(c, byId.get(c.notification_id), book, options).then((o) => settled.push(o)),
    ),
  );
  let done = false;
  void all.then(() => {
    done = true;
  });
  while (!done) {
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, RECORD_EVERY_MS))]);
    if (settled.length > 0) await recordOutcomes(em, settled.splice(0), options);
  }
  if (settled.length > 0) await recordOutcomes(em, settled.splice(0), options);
}

/** How often the outcomes of a batch still partly in flight are written. */
const RECORD_EVERY_MS = 100;

async function deliverOne(
  claimed: Claimed,
  notice: NoticeRow | undefined,
  book: NoticeBook,
  options: DeliveryOptions,
): Promise<Outcome> {
  const base = { claimed, userId: notice?.user_id ?? null, templateCode: notice?.type ?? null };
  if (!notice)
    return { ...base, status: 'failed', error: 'the notice was deleted', attempts: [], unregistered: [] };
  const text = renderNotice(
    book.templates,
    { code: notice.type, channel: claimed.channel, locale: notice.locale, vars: notice.payload ?? {} },
    { title: notice.title, body: notice.body },
  );
  const calls =
    claimed.channel === 'sms'
      ? notice.phone
        ? [
            {
              recipient: notice.phone,
              content: text.body,
              send: () => options.sms.send({ to: notice.phone ?? '', text: text.body }),
              provider: options.sms.name,
            },
          ]
        : []
      : notice.tokens.map((token) => ({
          recipient: token,
          content: `${text.title}: ${text.body}`,
          provider: options.push.name,
          send: () =>
            options.push.send({
              token,
              title: text.title,
              body: text.body,
              data: { noticeId: notice.id, type: notice.type },
            }),
        }));
  if (calls.length === 0) {
    const error = claimed.channel === 'sms' ? 'the user has no phone number' : 'the user has no push token';
    return { ...base, status: 'failed', error, attempts: [], unregistered: [] };
  }
  const results = await Promise.all(
    calls.map(async (call) => {
      try {
        const receipt = await withTimeout(call.send(), options.sendTimeoutMs);
        return { call, receipt, error: null };
      } catch (error) {
        return { call, receipt: null, error: asProviderError(error) };
      }
    }),
  );
  const attempts = results.map((r) => ({
    recipient: r.call.recipient,
    content: r.call.content,
    provider: r.call.provider,
    messageId: r.receipt?.messageId ?? null,
    error: r.error?.message.slice(0, 512) ?? null,
  }));
  const unregistered = results.filter((r) => r.error?.unregistered).map((r) => r.call.recipient);
  const firstError = results.find((r) => r.error)?.error ?? null;
  // One device that got it is a delivered notice; retrying would push it again to that device.
  if (results.some((r) => r.receipt)) return { ...base, status: 'sent', error: null, attempts, unregistered };
  const retriable = results.some((r) => r.error?.retriable) && claimed.attempts < options.maxAttempts;
  return {
    ...base,
    status: retriable ? 'pending' : 'failed',
    error: firstError?.message.slice(0, 512) ?? null,
    attempts,
    unregistered,
  };
}

async function recordOutcomes(
  em: EntityManager,
  outcomes: Outcome[],
  options: DeliveryOptions,
): Promise<void> {
  const logs = outcomes.flatMap((o) =>
    o.attempts.map((a) => ({
      id: uuidv7(),
      channel: o.claimed.channel,
      user_id: o.userId,
      notification_id: o.claimed.notification_id,
      recipient: a.recipient.slice(0, 512),
      template_code: o.templateCode?.slice(0, 60) ?? null,
      content: a.content.slice(0, 2000),
      provider: a.provider.slice(0, 40),
      message_id: a.messageId?.slice(0, 128) ?? null,
      error: a.error,
    })),
  );
  // Conditional on the attempt claimed: a delivery claimed again since (it cannot be, but a
  // lease that ran out could be) is not overwritten by an older attempt's outcome.
  const settled = outcomes.map((o) => ({
    id: o.claimed.id,
    attempts: o.claimed.attempts,
    status: o.status,
    error: o.error,
    delay_ms: o.status === 'pending' ? retryDelayMs(o.claimed.attempts, options.backoff) : 0,
  }));
  const record = { logs: JSON.stringify(logs), settled: JSON.stringify(settled) };
  const dropped = outcomes.flatMap((o) => o.unregistered);
  // The log rows and the deliveries' outcomes are one statement (atomic by itself, one round trip);
  // tokens FCM no longer knows, rare, are dropped in the same transaction.
  if (dropped.length === 0) {
    await runPrepared(em, RECORD_OUTCOMES, record);
    return;
  }
  await em.transactional(async (tem) => {
    await runPrepared(tem, RECORD_OUTCOMES, record);
    await runPrepared(tem, DROP_PUSH_TOKENS, { tokens: dropped });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderError(`no answer within ${ms} ms`, true)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Push tokens the provider said are no longer registered: never sent to again. */
const RELEASE_STALE_CLAIMS = prepared((db, p: { error: string }) =>
  db
    .with('stale', (q) =>
      q
        .updateTable('notification_delivery')
        .set({ status: 'unknown', lease_until: null, last_error: p.error, updated_at: now() })
        .where('status', '=', 'sending')
        .where('lease_until', '<', now())
        .returning(['id', 'notification_id', 'channel']),
    )
    .insertInto('sms_fcm_log')
    .columns([
      'id',
      'channel',
      'user_id',
      'notification_id',
      'recipient',
      'template_code',
      'content',
      'provider',
      'status',
      'error',
      'created_at',
    ])
    .expression((eb) =>
      eb
        .selectFrom('stale as s')
        .innerJoin('notification as n', 'n.id', 's.notification_id')
        .select([
          sql<string>`gen_random_uuid()`.as('id'),
          's.channel',
          'n.user_id',
          's.notification_id',
          sql.lit('').as('recipient'),
          'n.type',
          'n.body',
          sql.lit('unknown').as('provider'),
          sql.lit('failed').as('status'),
          sql<string>`${p.error}`.as('error'),
          now().as('created_at'),
        ]),
    )
    .returning('id'),
);
const CLAIM_DUE = prepared((db, p: { limit: number; leaseMs: number }) =>
  db
    .with('due', (q) =>
      q
        .selectFrom('notification_delivery')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now())
        .orderBy('next_attempt_at')
        .limit(p.limit)
        .forUpdate()
        .skipLocked(),
    )
    .updateTable('notification_delivery as d')
    .from('due')
    .set((eb) => ({
      status: 'sending',
      attempts: eb('d.attempts', '+', 1),
      lease_until: sql<Date>`now() + ${p.leaseMs} * interval '1 millisecond'`,
      updated_at: now(),
    }))
    .whereRef('d.id', '=', 'due.id')
    .returning(['d.id', 'd.notification_id', 'd.channel', 'd.attempts']),
);
/** The push tokens of notice `n`'s user, most recently seen device first. */
export const pushTokensOf = (eb: ExpressionBuilder<DB & { n: DB['notification'] }, 'n'>) =>
  eb
    .fn<string[]>('array', [
      eb
        .selectFrom('user_device as d')
        .select('d.push_token')
        .whereRef('d.user_id', '=', 'n.user_id')
        .where('d.push_token', 'is not', null)
        .orderBy('d.last_seen_at', 'desc'),
    ])
    .as('tokens');
const NOTICES_OF = prepared((db, p: { ids: string[] }) =>
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
      pushTokensOf(eb),
    ])
    .where('n.id', '=', sql<string>`any(${p.ids}::uuid[])`),
);
/** An sms_fcm_log row per provider call, and each delivery settled: sent, failed, or pending again after a backoff. */
const RECORD_OUTCOMES = prepared((db, p: { logs: string; settled: string }) =>
  db
    .with('logged', (q) =>
      q
        .insertInto('sms_fcm_log')
        .columns([
          'id',
          'channel',
          'user_id',
          'notification_id',
          'recipient',
          'template_code',
          'content',
          'provider',
          'provider_message_id',
          'status',
          'error',
          'sent_at',
          'created_at',
        ])
        .expression((eb) =>
          eb
            .selectFrom(
              recordset(p.logs, 'v', {
                id: 'uuid',
                channel: 'text',
                user_id: 'uuid?',
                notification_id: 'uuid',
                recipient: 'text',
                template_code: 'text?',
                content: 'text',
                provider: 'text',
                message_id: 'text?',
                error: 'text?',
              }),
            )
            .select((eb) => [
              'v.id',
              'v.channel',
              'v.user_id',
              'v.notification_id',
              'v.recipient',
              'v.template_code',
              'v.content',
              'v.provider',
              'v.message_id',
              eb
                .case()
                .when('v.error', 'is', null)
                .then(sql.lit('sent'))
                .else(sql.lit('failed'))
                .end()
                .as('status'),
              'v.error',
              eb.case().when('v.error', 'is', null).then(now()).end().as('sent_at'),
              now().as('created_at'),
            ]),
        ),
    )
    // Conditional on the attempt claimed (see recordOutcomes).
    .updateTable('notification_delivery as d')
    .from(
      recordset(p.settled, 'v', {
        id: 'uuid',
        attempts: 'int',
        status: 'text',
        error: 'text?',
        delay_ms: 'int',
      }),
    )
    .set((eb) => ({
      status: eb.ref('v.status').$castTo<DB['notification_delivery']['status']>(),
      last_error: eb.ref('v.error'),
      lease_until: null,
      next_attempt_at: sql<Date>`now() + ${eb.ref('v.delay_ms')} * interval '1 millisecond'`,
      sent_at: eb.case().when('v.status', '=', 'sent').then(now()).end(),
      updated_at: now(),
    }))
    .whereRef('d.id', '=', 'v.id')
    .whereRef('d.attempts', '=', 'v.attempts'),
);
const DROP_PUSH_TOKENS = prepared((db, p: { tokens: readonly string[] }) =>
  db
    .updateTable('user_device')
    .set({ push_token: null, updated_at: now() })
    .where('push_token', '=', sql<string>`any(${p.tokens})`),
);
