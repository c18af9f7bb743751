import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AdminActionLog } from '@powerbank/db';
import { queueNotice } from '@powerbank/notify';
import type { Context } from '../../trpc/context.ts';
import { type AdminCaller, adminMutation } from '../admin-auth/admin-action.ts';
import type { BroadcastInput, BroadcastOutput } from './broadcast.schemas.ts';

type AdminContext = Context & { admin: AdminCaller };

/** The notice type of a broadcast: its NotificationRule and template (`{{title}}`, `{{body}}`). */
export const BROADCAST_NOTICE = 'admin_broadcast';

/**
 * Users read and notices written per round: a segment of a million users is a thousand rounds
 * of one keyset read and one multi-row insert, never a million rows held in memory at once.
 */
const BATCH = 1000;

const SEGMENT_FILTER: Record<BroadcastInput['segment'], string> = {
  all: 'true',
  city: 'exists (select 1 from user_profile p where p.user_id = u.id and lower(p.city) = lower(?))',
  // Out with a power bank now (a rental still starting may yet fail).
  active_renters: `exists (select 1 from rental r where r.user_id = u.id and r.status in ('active', 'overdue'))`,
};

/** The next batch of the segment's active users after `after` (keyset by id). */
async function segmentBatch(tx: EntityManager, input: BroadcastInput, after: string): Promise<string[]> {
  const params: unknown[] = input.segment === 'city' ? [input.city] : [];
  const rows = await tx.getConnection().execute<{ id: string }[]>(
    `select u.id from users u
      where u.status = 'active' and ${SEGMENT_FILTER[input.segment]} and u.id > ?
      order by u.id limit ${BATCH}`,
    [...params, after],
  );
  return rows.map((row) => row.id);
}

/**
 * A notice to every user of a segment through queueNotice (the one notification path: the worker
 * sends it on the channels `admin_broadcast`'s rule names), in one transaction with its
 * AdminActionLog row: all of the segment is notified and logged, or none. The key is scoped to the
 * admin; a retry — or the same request twice at once, serialised by an advisory lock on the key —
 * finds the first one's log row and sends nothing more.
 */
export function broadcast(ctx: AdminContext, input: BroadcastInput): Promise<BroadcastOutput> {
  const key = createHash('sha256').update(`${ctx.admin.id}:${input.idempotencyKey}`).digest('hex');
  return adminMutation<BroadcastOutput>(ctx, 'system.broadcast', async (tx) => {
    await tx.getConnection().execute('select pg_advisory_xact_lock(hashtext(?))', [`broadcast:${key}`]);
    const first = await tx.findOne(AdminActionLog, { targetType: 'broadcast', targetId: key });
    if (first) {
      const recipients = Number((first.after as { recipients?: number } | null)?.recipients ?? 0);
      return {
        result: { recipients, replayed: true },
        targetType: 'broadcast',
        targetId: key,
        unchanged: true,
      };
    }
    let recipients = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const ids = await segmentBatch(tx, input, after);
      for (const userId of ids) {
        queueNotice(tx, {
          userId,
          type: BROADCAST_NOTICE,
          vars: { title: input.title, body: input.body },
          title: input.title,
          body: input.body,
          dedupeKey: `broadcast:${key}`,
        });
      }
      await tx.flush();
      // The flushed notices are written: forget them, so the unit of work stays one batch large.
      tx.clear();
      recipients += ids.length;
      const last = ids.at(-1);
      if (ids.length < BATCH || last === undefined) break;
      after = last;
    }
    return {
      result: { recipients, replayed: false },
      targetType: 'broadcast',
      targetId: key,
      after: { segment: input.segment, city: input.city ?? null, title: input.title, recipients },
      reason: input.reason,
    };
  });
}
