import { createApiClient } from '@powerbank/api-client';
import { User } from '@powerbank/db';
import { queueNotice } from '@powerbank/notify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../platform/session.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';

describe('notification inbox', () => {
  let api: TestApi;
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };
  const as = (who: { token: string }) => ({ authorization: `Bearer ${who.token}` });
  const client = (who: { token: string }) =>
    createApiClient({ url: 'http://api.test', fetch: api.fetch, token: who.token });
  const sql = <R>(text: string, values: unknown[]) =>
    api.deps.orm.em.fork().getConnection().execute<R[]>(text, values);

  beforeAll(async () => {
    api = await createTestApi();
    const em = api.deps.orm.em.fork();
    const signUp = (phone: string) => {
      const user = em.create(User, { phone, fullName: phone, referralCode: `N${phone.slice(-8)}` });
      const { token } = createSession(em, user, { ttlMs: 3_600_000, renewWithinMs: 0 });
      return { token, id: user.id };
    };
    alice = signUp('+15551110001');
    bob = signUp('+15551110002');
    await em.flush();
    for (let i = 0; i < 5; i++) {
      queueNotice(em, {
        userId: alice.id,
        type: i % 2 === 0 ? 'rental_started' : 'topup_succeeded',
        vars: { n: i },
        title: `Notice ${i}`,
        body: `Body ${i}`,
        dedupeKey: `inbox-test:${i}`,
      });
      await em.flush(); // one at a time: ids (UUIDv7) in creation order
    }
    queueNotice(em, {
      userId: bob.id,
      type: 'rental_started',
      vars: {},
      title: 'Bob',
      body: 'b',
      dedupeKey: 'bob',
    });
    await em.flush();
  });
  afterAll(() => api.close());

  it.each([
    ['GET', '/api/user/notifications', undefined],
    ['POST', '/api/user/notifications/mark-all-read', {}],
    ['POST', `/api/user/notification/${crypto.randomUUID()}`, {}],
    ['DELETE', `/api/user/notification/${crypto.randomUUID()}`, undefined],
  ])('%s %s needs a session', async (method, path, body) => {
    const res = await api.rest(method, path, body);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ success: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('lists my notices newest first by cursor and by page, filters by type, counts the unread', async () => {
    const first = await api.rest('GET', '/api/user/notifications?page_size=2', undefined, as(alice));
    expect(first.status).toBe(200);
    expect(first.body.data.results.map((n: { title: string }) => n.title)).toEqual(['Notice 4', 'Notice 3']);
    expect(first.body.data.unread_count).toBe(5);
    expect(first.body.data.pagination).toMatchObject({ total_count: 5, has_next: true });
    const cursor = first.body.data.pagination.next_cursor;
    const second = await api.rest(
      'GET',
      `/api/user/notifications?page_size=2&cursor=${cursor}`,
      undefined,
      as(alice),
    );
    expect(second.body.data.results.map((n: { title: string }) => n.title)).toEqual(['Notice 2', 'Notice 1']);
    const page3 = await api.rest('GET', '/api/user/notifications?page_size=2&page=3', undefined, as(alice));
    expect(page3.body.data.results.map((n: { title: string }) => n.title)).toEqual(['Notice 0']);
    expect(page3.body.data.pagination.has_next).toBe(false);

    const typed = await api.rest('GET', '/api/user/notifications?type=topup_succeeded', undefined, as(alice));
    expect(typed.body.data.results.map((n: { title: string }) => n.title)).toEqual(['Notice 3', 'Notice 1']);
    expect(typed.body.data.results[0]).toMatchObject({
      type: 'topup_succeeded',
      read: false,
      read_at: null,
      payload: { n: 3 },
    });

    // Same answer over tRPC, with real dates.
    const viaTrpc = await client(alice).notifications.list.query({ page_size: 2 });
    expect(first.body.data).toEqual(JSON.parse(JSON.stringify(viaTrpc)));
    expect(viaTrpc.results[0]?.created_at).toBeInstanceOf(Date);

    const bobs = await api.rest('GET', '/api/user/notifications', undefined, as(bob));
    expect(bobs.body.data.results.map((n: { title: string }) => n.title)).toEqual(['Bob']);

    const bad = await api.rest(
      'GET',
      '/api/user/notifications?page_size=500&cursor=nope',
      undefined,
      as(alice),
    );
    expect(bad.status).toBe(400);
  });

  it('mark read, mark all read and delete act on my notices only; another user id is 404 and changes nothing', async () => {
    const [bobsNotice] = await sql<{ id: string }>('select id from notification where user_id = ?', [bob.id]);
    const bobsId = bobsNotice?.id ?? '';
    for (const [method, path] of [
      ['POST', `/api/user/notification/${bobsId}`],
      ['DELETE', `/api/user/notification/${bobsId}`],
      ['POST', `/api/user/notification/${crypto.randomUUID()}`],
    ] as const) {
      const res = await api.rest(method, path, method === 'POST' ? {} : undefined, as(alice));
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    await expect(client(alice).notifications.markRead.mutate({ id: bobsId })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    expect(await sql('select read_at, deleted_at from notification where id = ?', [bobsId])).toEqual([
      { read_at: null, deleted_at: null },
    ]);

    const list = await client(alice).notifications.list.query({});
    const [newest, second] = list.results;
    const read = await api.rest('POST', `/api/user/notification/${newest?.id}`, {}, as(alice));
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ id: newest?.id, read: true });
    // Reading again keeps the first read time.
    const again = await client(alice).notifications.markRead.mutate({ id: newest?.id ?? '' });
    expect(again.read_at?.toISOString()).toBe(read.body.data.read_at);
    expect((await client(alice).notifications.list.query({})).unread_count).toBe(4);
    const unread = await api.rest('GET', '/api/user/notifications?unread_only=true', undefined, as(alice));
    expect(unread.body.data.pagination.total_count).toBe(4);

    const deleted = await api.rest('DELETE', `/api/user/notification/${second?.id}`, undefined, as(alice));
    expect(deleted.body.data).toEqual({ id: second?.id, deleted: true });
    expect(
      (await api.rest('DELETE', `/api/user/notification/${second?.id}`, undefined, as(alice))).status,
    ).toBe(404);
    await expect(client(alice).notifications.remove.mutate({ id: second?.id ?? '' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });

    const all = await api.rest('POST', '/api/user/notifications/mark-all-read', {}, as(alice));
    expect(all.body.data).toEqual({ marked: 3, unread_count: 0 });
    expect(await client(alice).notifications.markAllRead.mutate({})).toEqual({ marked: 0, unread_count: 0 });
    // Delete over tRPC: gone from the list, a second delete is NOT_FOUND.
    const [oldest] = (await client(alice).notifications.list.query({ page_size: 1, page: 4 })).results;
    expect(await client(alice).notifications.remove.mutate({ id: oldest?.id ?? '' })).toEqual({
      id: oldest?.id,
      deleted: true,
    });
    await expect(client(alice).notifications.remove.mutate({ id: oldest?.id ?? '' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    const after = await client(alice).notifications.list.query({});
    expect(after.pagination.total_count).toBe(3);
    expect(after.results.map((n) => n.id)).not.toContain(oldest?.id);
    // Bob's notice is untouched by Alice's mark-all.
    expect((await client(bob).notifications.list.query({})).unread_count).toBe(1);
  });
});
