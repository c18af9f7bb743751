import { createApiClient } from '@powerbank/api-client';
import { AdminActionLog, Coupon } from '@powerbank/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, signUpAdmin, useTestApi } from '../../testing/auth-helpers.ts';

const api = useTestApi();
let ops: SignedUp;
let support: SignedUp;

beforeAll(async () => {
  ops = await signUpAdmin(api(), 'operations');
  support = await signUpAdmin(api(), 'support');
});

const em = () => api().deps.orm.em.fork();
const post = (path: string, body: unknown, who: SignedUp = ops) =>
  api().rest('POST', path, body, bearer(who.token));
const newCode = () => `adm${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
const day = 86_400_000;
const aCoupon = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  kind: 'points',
  value: 25,
  validFrom: new Date(Date.now() - day).toISOString(),
  validTo: new Date(Date.now() + day).toISOString(),
  perUserLimit: 1,
  globalLimit: 2,
  ...extra,
});
const apply = (user: SignedUp, code: string) =>
  api().rest('POST', '/api/promotions/apply-coupon', { code }, bearer(user.token));
const logRows = (id: number) => em().count(AdminActionLog, { targetType: 'coupon', targetId: String(id) });

describe('coupons management', () => {
  it('create with dates and limits, users redeem within them, usage listed, deactivate stops it', async () => {
    const code = newCode();
    const created = await post('/api/admin/coupons', aCoupon(code));
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.data).toMatchObject({
      code: code.toUpperCase(),
      globalLimit: 2,
      usedCount: 0,
      isActive: true,
    });
    const id: number = created.body.data.id;

    const users = await Promise.all([1, 2, 3].map(() => signUp(api())));
    const answers = await Promise.all(users.map((user) => apply(user, code)));
    // The global limit of 2 holds even for three at once.
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 422]);

    const page = await createApiClient({
      url: 'http://api.test',
      fetch: api().fetch,
      token: support.token,
    }).admin.coupons.usages.query({ id, limit: 1 });
    expect(page.results).toHaveLength(1);
    expect(page.results[0]?.pointsAwarded).toBe(25);
    expect(page.nextCursor).not.toBeNull();
    const rest = await api().rest(
      'GET',
      `/api/admin/coupons/${id}/usages?cursor=${page.nextCursor}`,
      undefined,
      bearer(ops.token),
    );
    expect(rest.body.data.results).toHaveLength(1);
    expect(rest.body.data.nextCursor).toBeNull();
    const redeemedBy = [page.results[0]?.userId, rest.body.data.results[0].userId].sort();
    expect(redeemedBy).toEqual(
      users
        .filter((_, i) => answers[i]?.status === 200)
        .map((u) => u.userId)
        .sort(),
    );

    const code2 = newCode();
    const second = await post('/api/admin/coupons', aCoupon(code2, { globalLimit: null }));
    const deactivated = await post(`/api/admin/coupons/${second.body.data.id}/deactivate`, {
      reason: 'leaked',
    });
    expect(deactivated.body.data.isActive).toBe(false);
    expect((await apply(await signUp(api()), code2)).status).not.toBe(200);
    expect(await logRows(id)).toBe(1);
    expect(await logRows(second.body.data.id)).toBe(2);
  });

  it('bad dates, a percent over 100, a taken code or a support caller is refused and creates nothing', async () => {
    const code = newCode();
    const now = Date.now();
    for (const bad of [
      { validTo: new Date(now - 2 * day).toISOString() },
      { kind: 'percent_discount', value: 150 },
      { perUserLimit: 0 },
    ]) {
      const res = await post('/api/admin/coupons', aCoupon(code, bad));
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await post('/api/admin/coupons', aCoupon(code), support)).status).toBe(403);
    expect(await em().count(Coupon, { code: code.toUpperCase() })).toBe(0);
    const answers = await Promise.all([1, 2].map(() => post('/api/admin/coupons', aCoupon(code))));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
  });
});
