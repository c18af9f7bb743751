import { createApiClient } from '@powerbank/api-client';
import { Rental, User } from '@powerbank/db';
import { anyRow } from '@powerbank/testing';
import { describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, signUpAdmin, useTestApi } from '../../testing/auth-helpers.ts';

const api = useTestApi();
const sql = <R>(text: string, params: unknown[] = []) =>
  api().deps.orm.em.fork().getConnection().execute<R[]>(text, params);
const client = (token: string) => createApiClient({ url: 'http://api.test', fetch: api().fetch, token });

/** The users who got a broadcast of `title`, and how many notices each. */
async function reached(title: string): Promise<Map<string, number>> {
  const rows = await sql<{ user_id: string; n: number }>(
    `select user_id, count(*)::int as n from notification where type = 'admin_broadcast' and title = ? group by user_id`,
    [title],
  );
  return new Map(rows.map((r) => [r.user_id, r.n]));
}

const logRows = (title: string) =>
  sql<{ reason: string; after: { recipients: number } }>(
    `select reason, after from admin_action_log where action = 'system.broadcast' and after->>'title' = ?`,
    [title],
  );

/** A broadcast of `title` through the typed client, its key derived from the title. */
const broadcastOverTrpc = (admin: SignedUp, segment: 'all' | 'active_renters', title: string) =>
  client(admin.token).admin.system.broadcast.mutate({
    segment,
    title,
    body: `${title}: details inside`,
    reason: 'an announcement',
    idempotencyKey: `key-${title}`,
  });

async function inCity(city: string): Promise<SignedUp> {
  const user = await signUp(api());
  const moved = await api().rest('PATCH', '/api/user/profile', { city }, bearer(user.token));
  expect(moved.status).toBe(200);
  return user;
}

describe('admin broadcast (a notice to a segment, through queueNotice, logged in the same transaction)', () => {
  it('a city over REST: its users once each (case-insensitive), nobody else; a retry and 5 concurrent repeats send nothing more', async () => {
    const ops = await signUpAdmin(api(), 'operations');
    const city = `Town-${crypto.randomUUID().slice(0, 6)}`;
    const locals = [await inCity(city), await inCity(city.toUpperCase())];
    const elsewhere = await inCity(`${city}-far`);
    const body = {
      segment: 'city',
      city,
      title: `Station works in ${city}`,
      body: 'Two stations close tomorrow',
      reason: 'planned maintenance',
      idempotencyKey: `broadcast-${city}`,
    };
    const first = await api().rest('POST', '/api/admin/system/broadcast', body, bearer(ops.token));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data).toEqual({ recipients: 2, replayed: false });
    const repeats = await Promise.all(
      Array.from({ length: 5 }, () =>
        api().rest('POST', '/api/admin/system/broadcast', body, bearer(ops.token)),
      ),
    );
    expect(repeats.map((r) => r.body.data)).toEqual(Array(5).fill({ recipients: 2, replayed: true }));

    const got = await reached(body.title);
    expect(Object.fromEntries(got)).toEqual({ [locals[0]!.userId]: 1, [locals[1]!.userId]: 1 });
    expect(got.has(elsewhere.userId)).toBe(false);
    expect(await logRows(body.title)).toEqual([
      { reason: 'planned maintenance', after: expect.objectContaining({ recipients: 2 }) },
    ]);
    // The inbox shows it, with the broadcast's text.
    const inbox = await api().rest('GET', '/api/user/notifications', undefined, bearer(locals[0]!.token));
    expect(inbox.body.data.results).toEqual(
      expect.arrayContaining([expect.objectContaining({ title: body.title, type: 'admin_broadcast' })]),
    );
  });

  it('bad input (no city for the city segment, a city for another, no reason) is 400 and sends nothing; support is 403', async () => {
    const ops = await signUpAdmin(api(), 'operations');
    const support = await signUpAdmin(api(), 'support');
    const base = { title: 'Refused', body: 'x', reason: 'testing it', idempotencyKey: 'refused-key-1' };
    for (const bad of [
      { ...base, segment: 'city' },
      { ...base, segment: 'all', city: 'Oslo' },
      { ...base, segment: 'all', reason: undefined },
      { ...base, segment: 'everyone' },
    ]) {
      const answer = await api().rest('POST', '/api/admin/system/broadcast', bad, bearer(ops.token));
      expect(answer.status, JSON.stringify(bad)).toBe(400);
    }
    const refused = await api().rest(
      'POST',
      '/api/admin/system/broadcast',
      { ...base, segment: 'all' },
      bearer(support.token),
    );
    expect(refused.status).toBe(403);
    expect((await reached('Refused')).size).toBe(0);
    expect(await logRows('Refused')).toEqual([]);
  });

  it('active renters over tRPC: only users with an open rental', async () => {
    const ops = await signUpAdmin(api(), 'operations');
    const [renting, overdue, returned, idle] = await Promise.all([1, 2, 3, 4].map(() => signUp(api())));
    const em = api().deps.orm.em.fork();
    for (const [user, status] of [
      [renting, 'active'],
      [overdue, 'overdue'],
      [returned, 'settled'],
    ] as const) {
      anyRow(em, Rental, { user: em.getReference(User, user!.userId), status });
    }
    await em.flush();
    const title = `Renters ${crypto.randomUUID().slice(0, 6)}`;
    const answer = await broadcastOverTrpc(ops, 'active_renters', title);
    const got = await reached(title);
    expect(answer).toEqual({ recipients: got.size, replayed: false });
    expect(got.get(renting!.userId)).toBe(1);
    expect(got.get(overdue!.userId)).toBe(1);
    expect(got.has(returned!.userId)).toBe(false);
    expect(got.has(idle!.userId)).toBe(false);
  });

  it('all users, a segment larger than one batch: every active user once, suspended ones not', async () => {
    const ops = await signUpAdmin(api(), 'operations');
    const tag = crypto.randomUUID().slice(0, 6);
    await sql(
      `insert into users (id, phone, status, referral_code, created_at, updated_at)
       select gen_random_uuid(), '+1999' || ? || lpad(i::text, 5, '0'), case when i % 10 = 0 then 'suspended' else 'active' end,
              'B' || ? || lpad(i::text, 5, '0'), now(), now()
         from generate_series(1, 2500) as i`,
      [tag.replace(/\D/g, '0').slice(0, 5), tag],
    );
    const [active] = await sql<{ n: number }>(`select count(*)::int as n from users where status = 'active'`);
    const title = `Everyone ${tag}`;
    const answer = await broadcastOverTrpc(ops, 'all', title);
    expect(answer).toEqual({ recipients: active!.n, replayed: false });
    const got = await reached(title);
    expect(got.size).toBe(active!.n);
    expect([...got.values()].every((n) => n === 1)).toBe(true);
    const [suspendedReached] = await sql<{ n: number }>(
      `select count(*)::int as n from notification n join users u on u.id = n.user_id
        where n.title = ? and u.status <> 'active'`,
      [title],
    );
    expect(suspendedReached!.n).toBe(0);
  });

  it('a log row that cannot be written takes the whole broadcast back: no notice, no log', async () => {
    const ops = await signUpAdmin(api(), 'operations');
    const title = `Rolled back ${crypto.randomUUID().slice(0, 6)}`;
    // Postgres refuses this broadcast's AdminActionLog row, written after every batch of notices.
    await sql(`create function refuse_broadcast_log() returns trigger language plpgsql as $$
      begin raise exception 'log refused'; end $$`);
    await sql(
      `create trigger refuse_broadcast_log before insert on admin_action_log for each row
       when (new.after->>'title' = '${title}') execute function refuse_broadcast_log()`,
    );
    try {
      const answer = await api().rest(
        'POST',
        '/api/admin/system/broadcast',
        { segment: 'all', title, body: 'x', reason: 'testing it', idempotencyKey: `key-${title}` },
        bearer(ops.token),
      );
      expect(answer.status).toBe(500);
      expect((await reached(title)).size).toBe(0);
      expect(await logRows(title)).toEqual([]);
    } finally {
      await sql(
        'drop trigger refuse_broadcast_log on admin_action_log; drop function refuse_broadcast_log()',
      );
    }
  });
});
