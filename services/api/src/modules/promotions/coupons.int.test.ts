import { createApiClient } from '@powerbank/api-client';
import { Coupon, Notification } from '@powerbank/db';
import { describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, useTestApi } from '../../testing/auth-helpers.ts';
import { aCrowd } from '../../testing/crowd.ts';

const api = useTestApi();

let codes = 0;
/** A coupon valid now (unless `extra` says otherwise), with a fresh code. */
async function aCoupon(extra: Partial<Coupon> = {}): Promise<Coupon> {
  codes += 1;
  const em = api().deps.orm.em.fork();
  const coupon = em.create(Coupon, {
    code: `TEST${process.pid}X${codes}`,
    description: 'test coupon',
    kind: 'points',
    value: 40,
    currency: 'USD',
    validFrom: new Date(Date.now() - 86_400_000),
    validTo: new Date(Date.now() + 86_400_000),
    ...extra,
  });
  await em.flush();
  return coupon;
}

const apply = (user: { token: string }, code: string, extra: Record<string, unknown> = {}) =>
  api().rest('POST', '/api/promotions/apply-coupon', { code, ...extra }, bearer(user.token));
const client = (user: SignedUp) =>
  createApiClient({ url: 'http://api.test', fetch: api().fetch, token: user.token });
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  api().deps.orm.em.fork().getConnection().execute<R[]>(text, params);

async function couponPoints(userId: string) {
  const [row] = await sql<{ points: string; rows: string; balance: string }>(
    `select coalesce(sum(points), 0) as points, count(*) as rows,
            (select balance from user_points where user_id = ?) as balance
       from points_transaction where user_id = ? and type = 'coupon'`,
    [userId, userId],
  );
  return { points: Number(row?.points), rows: Number(row?.rows), balance: Number(row?.balance) };
}
const usages = async (couponId: number) =>
  Number(
    (await sql<{ n: string }>(`select count(*) as n from coupon_usage where coupon_id = ?`, [couponId]))[0]
      ?.n,
  );

describe('apply-coupon', () => {
  it('a points coupon, typed in any case, credits its points through the ledger once and notifies (REST)', async () => {
    const user = await signUp(api());
    const coupon = await aCoupon({ value: 40 });
    const before = await couponPoints(user.userId);
    const res = await apply(user, `  ${coupon.code.toLowerCase()} `);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({
      code: coupon.code,
      kind: 'points',
      value: 40,
      status: 'credited',
      points_awarded: 40,
      discount: null,
      rental_id: null,
    });
    const after = await couponPoints(user.userId);
    expect(after).toEqual({ points: 40, rows: 1, balance: before.balance + 40 });
    const [entry] = await sql<{ idempotency_key: string }>(
      `select idempotency_key from points_transaction where user_id = ? and type = 'coupon'`,
      [user.userId],
    );
    expect(entry?.idempotency_key).toBe(`coupon:${res.body.data.id}`);
    expect(
      await api().deps.orm.em.fork().count(Notification, { user: user.userId, type: 'coupon_applied' }),
    ).toBe(1);
  });

  it('over tRPC: apply, then my-coupons lists it', async () => {
    const user = await signUp(api());
    const coupon = await aCoupon({ kind: 'percent_discount', value: 25 });
    const applied = await client(user).promotions.applyCoupon.mutate({ code: coupon.code.toLowerCase() });
    expect(applied).toMatchObject({ code: coupon.code, status: 'available', points_awarded: 0 });
    const mine = await client(user).promotions.myCoupons.query({});
    expect(mine.results.map((c) => c.id)).toEqual([applied.id]);
    await expect(client(user).promotions.applyCoupon.mutate({ code: coupon.code })).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
  });

  it('the same coupon twice by one user counts once (409 the second time, nothing changed)', async () => {
    const user = await signUp(api());
    const coupon = await aCoupon();
    expect((await apply(user, coupon.code)).status).toBe(200);
    const again = await apply(user, coupon.code);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', details: { reason: 'already_used' } });
    expect(await couponPoints(user.userId)).toMatchObject({ points: 40, rows: 1 });
    expect(await usages(coupon.id)).toBe(1);
  });

  it('20 concurrent applies of one coupon by one user: one applies, 19 are refused, credited once', async () => {
    const user = await signUp(api());
    const coupon = await aCoupon();
    const answers = await Promise.all(Array.from({ length: 20 }, () => apply(user, coupon.code)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(19);
    expect(await couponPoints(user.userId)).toMatchObject({ points: 40, rows: 1 });
    expect(await usages(coupon.id)).toBe(1);
  });

  it('a per-user limit of 3 allows three applies', async () => {
    const user = await signUp(api());
    const coupon = await aCoupon({ perUserLimit: 3, value: 5 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await apply(user, coupon.code)).status);
    expect(statuses).toEqual([200, 200, 200, 409]);
    expect(await couponPoints(user.userId)).toMatchObject({ points: 15, rows: 3 });
  });

  it('a retry with the same idempotency key answers the first apply, even 10 at once; another key is another apply', async () => {
    const user = await signUp(api());
    const coupon = await aCoupon({ perUserLimit: 5, value: 5 });
    const key = `coupon-${crypto.randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => apply(user, coupon.code, { idempotency_key: key })),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(new Set(answers.map((r) => r.body.data.id)).size).toBe(1);
    expect(await couponPoints(user.userId)).toMatchObject({ points: 5, rows: 1 });
    expect((await apply(user, coupon.code, { idempotency_key: `other-${key}` })).status).toBe(200);
    expect(await couponPoints(user.userId)).toMatchObject({ points: 10, rows: 2 });
  });

  it('refuses a coupon outside its dates, inactive or unknown, changing nothing', async () => {
    const user = await signUp(api());
    const future = await aCoupon({
      validFrom: new Date(Date.now() + 3_600_000),
      validTo: new Date(Date.now() + 7_200_000),
    });
    const past = await aCoupon({
      validFrom: new Date(Date.now() - 7_200_000),
      validTo: new Date(Date.now() - 3_600_000),
    });
    const inactive = await aCoupon({ isActive: false });
    const early = await apply(user, future.code);
    expect(early.status).toBe(422);
    expect(early.body.error.details).toEqual({ reason: 'coupon_not_started' });
    const late = await apply(user, past.code);
    expect(late.status).toBe(422);
    expect(late.body.error.details).toEqual({ reason: 'coupon_expired' });
    expect((await apply(user, inactive.code)).status).toBe(404);
    expect((await apply(user, 'NOSUCHCODE')).status).toBe(404);
    const bad = await apply(user, 'x');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(await couponPoints(user.userId)).toMatchObject({ points: 0, rows: 0 });
    for (const c of [future, past, inactive]) expect(await usages(c.id)).toBe(0);
  });

  it('1,000 concurrent applies of a coupon capped at 100 by 1,000 users: exactly 100, the rest refused, no 500', async () => {
    const crowd = aCrowd(1000, { wallet: 0 });
    await api()
      .deps.orm.em.fork()
      .transactional(async (tem) => {
        for (const statement of crowd.statements) await tem.execute(statement);
      });
    const coupon = await aCoupon({ globalLimit: 100, value: 10 });
    const answers = await Promise.all(crowd.users.map((u) => apply(u, coupon.code)));
    const byStatus = new Map<number, number>();
    for (const r of answers) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 200: 100, 422: 900 });
    for (const r of answers.filter((a) => a.status === 422)) {
      expect(r.body.error.details).toEqual({ reason: 'coupon_exhausted' });
    }
    expect(await usages(coupon.id)).toBe(100);
    const [row] = await sql<{ used_count: number; credited: string }>(
      `select used_count, (select count(*) from points_transaction where type = 'coupon' and reference_id in
         (select id::text from coupon_usage where coupon_id = c.id)) as credited from coupon c where id = ?`,
      [coupon.id],
    );
    expect(row).toEqual({ used_count: 100, credited: '100' });
  }, 120_000);
});

describe('my-coupons', () => {
  it('lists the caller’s coupons newest first with where each stands, filtered by status (REST)', async () => {
    const [user, other] = await Promise.all([signUp(api()), signUp(api())]);
    const points = await aCoupon({ value: 10 });
    const discount = await aCoupon({ kind: 'amount_discount', value: 150 });
    const ending = await aCoupon({ kind: 'percent_discount', value: 10 });
    for (const c of [points, discount, ending]) expect((await apply(user, c.code)).status).toBe(200);
    expect((await apply(other, points.code)).status).toBe(200);
    await sql(
      `update coupon set valid_from = now() - interval '2 days', valid_to = now() - interval '1 second' where id = ?`,
      [ending.id],
    );

    const res = await api().rest('GET', '/api/promotions/my-coupons', undefined, bearer(user.token));
    expect(res.status).toBe(200);
    expect(res.body.data.results.map((c: { code: string; status: string }) => [c.code, c.status])).toEqual([
      [ending.code, 'expired'],
      [discount.code, 'available'],
      [points.code, 'credited'],
    ]);
    expect(res.body.data.pagination).toMatchObject({ page: 1, total_count: 3, has_next: false });
    const available = await api().rest(
      'GET',
      '/api/promotions/my-coupons?status=available&page_size=5',
      undefined,
      bearer(user.token),
    );
    expect(available.body.data.results.map((c: { code: string }) => c.code)).toEqual([discount.code]);
    const paged = await client(user).promotions.myCoupons.query({ page: 2, page_size: 2 });
    expect(paged.results.map((c) => c.code)).toEqual([points.code]);
    expect(paged.pagination).toMatchObject({ total_count: 3, total_pages: 2, has_next: false });
    expect((await api().rest('GET', '/api/promotions/my-coupons')).status).toBe(401);
  });

  it('the OpenAPI document describes both paths', async () => {
    const doc = await api().rest('GET', '/api/openapi.json');
    expect(doc.body.paths['/promotions/apply-coupon']).toHaveProperty('post');
    expect(doc.body.paths['/promotions/my-coupons']).toHaveProperty('get');
  });
});
