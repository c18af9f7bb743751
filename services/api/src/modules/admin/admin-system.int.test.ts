import { describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, signUpAdmin, useTestApi } from '../../testing/auth-helpers.ts';

const api = useTestApi();
const sql = (text: string, params: unknown[] = []) => api().deps.orm.em.getConnection().execute(text, params);
const get = (caller: SignedUp, path: string) => api().rest('GET', path, undefined, bearer(caller.token));

/** Every page of a cursor list, in order. */
async function allPages(caller: SignedUp, path: string): Promise<{ id: string }[]> {
  const rows: { id: string }[] = [];
  let cursor: string | null = null;
  do {
    const page = await get(caller, `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    rows.push(...page.body.data.results);
    cursor = page.body.data.nextCursor;
  } while (cursor);
  return rows;
}

describe('SystemLog viewer', () => {
  it('pages through rows written within one millisecond (microsecond times) once each, newest first', async () => {
    const ops = await signUpAdmin(api(), 'operations');
    const source = `test-${crypto.randomUUID().slice(0, 8)}`;
    // Seven lines in the same millisecond, 100 µs apart, and three a second earlier.
    await sql(
      `insert into system_log (id, occurred_at, level, source, message)
       select gen_random_uuid(), date_trunc('milliseconds', now()) + (i * interval '100 microseconds'), 'info', ?, 'line ' || i
         from generate_series(1, 7) as i
       union all
       select gen_random_uuid(), now() - interval '1 second' - (i * interval '1 millisecond'), 'warn', ?, 'early ' || i
         from generate_series(1, 3) as i`,
      [source, source],
    );
    const expected = await sql(
      `select id from system_log where source = ? order by occurred_at desc, id desc`,
      [source],
    );
    const seen = await allPages(ops, `/api/admin/system/logs?source=${source}&limit=2`);
    expect(seen.map((r) => r.id)).toEqual(expected.map((r) => (r as { id: string }).id));
    const warns = await allPages(ops, `/api/admin/system/logs?source=${source}&level=warn&limit=100`);
    expect(warns).toHaveLength(3);
  });

  it('filters by station (core lines by serial, bridge rejections by topic) and by time range', async () => {
    const ops = await signUpAdmin(api(), 'operations');
    const sn = `SN${crypto.randomUUID().slice(0, 8)}`;
    await sql(
      `insert into system_log (id, occurred_at, level, source, message, context) values
         (gen_random_uuid(), now(), 'error', 'station-core', 'eject failed', jsonb_build_object('sn', ?::text)),
         (gen_random_uuid(), now(), 'warn', 'mqtt-bridge', 'rejected', jsonb_build_object('topic', 'stations/' || ?::text || '/up/hello')),
         (gen_random_uuid(), now(), 'warn', 'mqtt-bridge', 'rejected', jsonb_build_object('topic', 'stations/' || ?::text || 'X/up/hello')),
         (gen_random_uuid(), now() - interval '3 days', 'error', 'station-core', 'old', jsonb_build_object('sn', ?::text))`,
      [sn, sn, sn, sn],
    );
    const lines = async (query: string) =>
      (await allPages(ops, `/api/admin/system/logs?stationSn=${sn}&limit=100${query}`)).map(
        (r) => (r as unknown as { message: string }).message,
      );
    expect((await lines('')).sort()).toEqual(['eject failed', 'rejected']);
    const from = new Date(Date.now() - 4 * 24 * 3_600_000).toISOString();
    expect((await lines(`&from=${from}`)).sort()).toEqual(['eject failed', 'old', 'rejected']);
    const to = new Date(Date.now() - 2 * 24 * 3_600_000).toISOString();
    expect(await lines(`&from=${from}&to=${to}`)).toEqual(['old']);
    expect((await get(ops, `/api/admin/system/logs?from=${to}&to=${from}`)).status).toBe(400);
  });
});

describe('message and admin action viewers', () => {
  it('shows the SMS sent to a phone, masked; and what staff did, by target and by action prefix', async () => {
    const root = await signUpAdmin(api(), 'super_admin');
    const support = await signUpAdmin(api(), 'support');
    const user = await signUp(api());
    const messages = await get(
      support,
      `/api/admin/system/messages?recipient=${encodeURIComponent(user.phone)}`,
    );
    expect(messages.body.data.results.length).toBeGreaterThan(0);
    expect(messages.body.data.results[0]).toMatchObject({ channel: 'sms', recipient: user.phone });
    expect(messages.body.data.results[0].content).not.toMatch(/\b\d{6}\b/);

    await api().rest(
      'POST',
      `/api/admin/users/${user.userId}/suspend`,
      { reason: 'fraud check' },
      bearer(support.token),
    );
    const actions = await get(root, `/api/admin/system/admin-actions?targetId=${user.userId}`);
    expect(actions.body.data.results).toMatchObject([
      { action: 'user.suspend', adminUserId: support.userId, adminRole: 'support', reason: 'fraud check' },
    ]);
    const byPrefix = await get(
      root,
      `/api/admin/system/admin-actions?action=user.&adminUserId=${support.userId}`,
    );
    expect(byPrefix.body.data.results).toHaveLength(1);
    expect((await get(support, '/api/admin/system/admin-actions')).status).toBe(403);
  });
});
